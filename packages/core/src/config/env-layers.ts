/**
 * Where an env config's variables come from, in order: the environment, the `.env` file (or the
 * one named), and, for a working dir in a skill's folder, the skills dir's shared
 * `_shared/.env` (issue 27). Each file is read by the platform under env-file.ts's rule (issue
 * 24); a file the rule refuses is a ConfigError naming the file and the rule. config.ts builds
 * the config from these layers and keeps each variable's source. docs/configuration.md.
 */

import { ConfigError } from "../errors/errors.ts";
import { lazy } from "../platform/lazy.ts";
import type { Platform } from "../platform/platform.ts";
import {
  DEFAULT_ENV_FILE,
  type EnvSource,
  layeredReader,
  parsePlainEnv,
  sharedEnvFileOf,
} from "./env-file.ts";

/**
 * Where a variable's value came from: the environment passed in, the `.env` file (or the one
 * named by `envFile`) at `path`, a skills folder's shared env file at `path`, the options of
 * `createConfig`, or nowhere (its default, or none).
 */
export type ConfigSource =
  | { readonly kind: "env" }
  | { readonly kind: "env-file"; readonly path: string }
  | { readonly kind: "shared-env-file"; readonly path: string }
  | { readonly kind: "options" }
  | { readonly kind: "default" };

/** The source of each variable of the configuration table, by variable name. */
export type ConfigSources = Readonly<Record<string, ConfigSource>>;

/** One source of variables: where they came from, and what they are. */
export interface Layer {
  readonly source: ConfigSource;
  readonly env: EnvSource;
  /** What messages call it: `the environment`, `the env file ./.env`, … (never a value). */
  readonly label: string;
}

/** What an env file's messages call it: by option when the caller named it (see readEnvFile). */
interface EnvFile {
  readonly source: Extract<ConfigSource, { path: string }>;
  readonly label: string;
  /** The error when the file is not there; none: a missing file is no file. */
  readonly ifMissing?: string;
}

/**
 * The files to read after the environment: the `.env` file (`file`; `false` reads no file at
 * all), then, when the working dir lies in a skill's folder, the skills dir's `_shared/.env`.
 * A file the caller named must exist, or a typo would silently drop its settings; its messages
 * name the option, not the path (a path may hold a pasted secret). The default and the shared
 * file are named by their paths, which hold nothing the caller typed.
 */
function envFilesOf(platform: Platform, file: string | false, option: string): EnvFile[] {
  if (file === false) return [];
  // The CLI passes the default by name; `.env` given or not is the default.
  const source = { kind: "env-file", path: file } as const;
  const files: EnvFile[] = [
    file === DEFAULT_ENV_FILE
      ? { source, label: `the env file ./${file}` }
      : {
          source,
          label: `the env file named by ${option}`,
          ifMissing: `The env file named by ${option} does not exist`,
        },
  ];
  const cwd = platform.cwd?.();
  const shared = cwd === undefined ? undefined : sharedEnvFileOf(cwd);
  if (shared !== undefined) {
    files.push({
      source: { kind: "shared-env-file", path: shared },
      label: `the shared env file ${shared}`,
    });
  }
  return files;
}

/**
 * The variables of one env file, read by the platform under env-file.ts's rule; a file the rule
 * refuses is a ConfigError naming the file and the rule broken, never anything in it.
 */
function readEnvFile(platform: Platform, file: EnvFile): Layer | undefined {
  const read = platform.readEnvFileSync(file.source.path);
  if (read.status === "ok") {
    const env = parsePlainEnv(read.text) ?? parseDotenvLazily(read.text);
    return { source: file.source, env, label: file.label };
  }
  if (read.status === "missing") {
    if (file.ifMissing === undefined) return undefined;
    throw new ConfigError(file.ifMissing);
  }
  throw new ConfigError(`Not reading ${file.label}: ${read.reason}`);
}

/**
 * The environment, then each env file that is there: `file` (`false` reads no file at all, the
 * shared one included), then the shared file of the platform's working dir. `option` names
 * `file` in messages.
 */
export function layersOf(
  platform: Platform,
  env: EnvSource,
  file: string | false,
  option: string,
): Layer[] {
  const layers: Layer[] = [{ source: { kind: "env" }, env, label: "the environment" }];
  for (const envFile of envFilesOf(platform, file, option)) {
    const layer = readEnvFile(platform, envFile);
    if (layer) layers.push(layer);
  }
  return layers;
}

/** Each variable of `names` and the first layer that sets it (blank counts as unset). */
export function sourcesOf(layers: readonly Layer[], names: readonly string[]): ConfigSources {
  const sources: Record<string, ConfigSource> = {};
  for (const name of names) {
    const layer = layers.find((l) => layeredReader(l.env)(name) !== undefined);
    sources[name] = Object.freeze(layer?.source ?? { kind: "default" });
  }
  return Object.freeze(sources);
}

/** dotenv's parser, loaded on first need: for a `.env` file with a line that is not plain. */
const dotenvParse = lazy<typeof import("./dotenv-parse.ts")>(() => require("./dotenv-parse.ts"));

/** dotenv's reading of a `.env` file with a line that is not plain. */
function parseDotenvLazily(text: string): EnvSource {
  return dotenvParse().parseDotenv(text);
}

/** A variable's value from the first layer that sets it (see layeredReader). */
export const layeredValue = (layers: readonly Layer[]): ((name: string) => string | undefined) =>
  layeredReader(...layers.map((layer) => layer.env));
