/**
 * The configuration, from environment variables (and a `.env` file) or from an options object,
 * validated once and frozen. Every step runs over the table (table.ts), one row per setting:
 * which variables are read, their rules, their defaults; nothing here names a setting but the
 * client key and the rules between the client_credentials grant's settings.
 *
 * Loading: zod costs a fresh Bun process ~30 ms and dotenv ~10 ms, more than the rest of a warm
 * token. So the table's rules are first applied as they are (the plain pass: the same predicates
 * the schemas run); only a value they refuse, or an option that is not the table's, loads the
 * zod schemas (config-schema.ts), which decide and word the error as always. A `.env` file whose
 * lines are all plain (env-file.ts's parsePlainEnv) is read without dotenv. docs/configuration.md.
 *
 * Layers (env-layers.ts): the environment, then the `.env` file (or the one named), then, in a
 * skill's folder, the skills dir's `_shared/.env`; each variable's source is kept in the config.
 */

import { ConfigError } from "../errors/errors.ts";
import { redactKnown, rememberSecret } from "../errors/redact.ts";
import { lazy } from "../platform/lazy.ts";
import type { Platform } from "../platform/platform.ts";
import { DEFAULT_ENV_FILE, type EnvSource } from "./env-file.ts";
import {
  type ConfigSource,
  type ConfigSources,
  type Layer,
  layeredValue,
  layersOf,
  sourcesOf,
} from "./env-layers.ts";
import { isString, isStringList } from "./rows.ts";
import { expandHome, isPkcs8Pem } from "./rules.ts";
import {
  FIELDS,
  type Field,
  NAMES,
  TABLE,
  type Value,
  type Values,
  type Variable,
} from "./table.ts";
import type { ConfigOptions, EnvConfig, EnvConfigOptions } from "./types.ts";
import { unknownVariablesWarning } from "./unknown-variables.ts";

export {
  brokenTokenUrlRule,
  CONFIG_VARIABLES,
  type ConfigVariable,
  managerSettingsText,
} from "./table.ts";
export type {
  ClientAuthMethod,
  ConfigOptions,
  ConfigSource,
  ConfigSources,
  EnvConfig,
  EnvConfigOptions,
  Grant,
} from "./types.ts";

// ---- Validation: the plain pass, then zod for what it refuses -------------------------------

/** True when the variable is unset or meets all its rules (what the env schema checks). */
function envTextIsPlain<K extends Field>(field: K, text: string | undefined): boolean {
  const { rules, fromText }: Variable<Value<K>> = TABLE[field];
  return text === undefined || rules.every((rule) => rule.test(fromText(text)));
}

/** True when the option is unset or of its type and meets all its rules (the options schema's checks). */
function optionIsPlain<K extends Field>(field: K, value: unknown): boolean {
  const { is, rules }: Variable<Value<K>> = TABLE[field];
  return value === undefined || (is(value) && rules.every((rule) => rule.test(value)));
}

const envIsPlain = (raw: Record<string, string | undefined>): boolean =>
  FIELDS.every((field) => envTextIsPlain(field, raw[TABLE[field].name]));

const optionsArePlain = (input: Record<string, unknown>): boolean =>
  Object.keys(input).every((key) => Object.hasOwn(TABLE, key)) &&
  FIELDS.every((field) => optionIsPlain(field, input[field]));

/** The zod schemas' module, loaded on first need (the config is made synchronously). */
const schemaModule = lazy<typeof import("./config-schema.ts")>(() => require("./config-schema.ts"));
let schemas: import("./config-schema.ts").ConfigSchemas | undefined;

/** The zod schemas, built on first need. */
function configSchemas(): import("./config-schema.ts").ConfigSchemas {
  schemas ??= schemaModule().buildConfigSchemas();
  return schemas;
}

// ---- Building the config --------------------------------------------------------------------

/** Keeps the client key out of `JSON.stringify`, `console.log` and `util.inspect`. */
function redactClientKey(config: EnvConfig): EnvConfig {
  const redacted = () => ({ ...config, clientKey: "[redacted]" });
  Object.defineProperty(config, "toJSON", { value: redacted });
  Object.defineProperty(config, Symbol.for("nodejs.util.inspect.custom"), { value: redacted });
  return Object.freeze(config);
}

/** Where put finds the home dir and how a message names a setting. */
interface Reading {
  readonly home: string | undefined;
  readonly name: (field: Field) => string;
}

function put<K extends Field>(
  values: Values,
  field: K,
  value: Value<K> | undefined,
  reading: Reading,
): void {
  if (value === undefined) return;
  const { normalize, path }: Variable<Value<K>> = TABLE[field];
  const used = path && isString(value) ? expandedPath(value, field, reading) : value;
  values[field] = normalize ? normalize(used) : used;
}

/** A path setting with its leading `~` or `~/` expanded; a ConfigError when no home is known. */
function expandedPath<T>(value: T & string, field: Field, reading: Reading): T {
  const expanded = expandHome(value, reading.home);
  if (expanded === undefined) {
    throw new ConfigError(`${reading.name(field)} starts with ~, but HOME is not set`);
  }
  return expanded as T;
}

/** The config of validated `values`, each unset one its row's default. */
function build(values: Values, clientKey: string, sources: ConfigSources): EnvConfig {
  // Every output that serves no one request (warnings, debug lines) redacts it from now on.
  rememberSecret(clientKey);
  const settings: Record<string, unknown> = {};
  for (const field of FIELDS) settings[field] = values[field] ?? TABLE[field].default;
  return redactClientKey({
    ...(settings as Pick<EnvConfig, Field>),
    clientKey,
    clientKeySource: sources.CLIENT_KEY?.kind as EnvConfig["clientKeySource"],
    sources,
  });
}

/**
 * The rules between settings of the client_credentials grant; `name` gives a field's name in
 * the messages (the variable or the option).
 */
function checkGrant(values: Values, clientKey: string, name: (field: Field) => string): void {
  if ((values.grant ?? "session") !== "client_credentials") return;
  if (values.clientId === undefined) {
    throw new ConfigError(
      `${name("clientId")} is required when ${name("grant")} is client_credentials`,
    );
  }
  if (values.tokenUrl === undefined && values.issuer === undefined) {
    throw new ConfigError(
      `${name("tokenUrl")} or ${name("issuer")} is required when ${name("grant")} is client_credentials`,
    );
  }
  if (values.clientAuth === "private_key_jwt" && !isPkcs8Pem(clientKey)) {
    throw new ConfigError(
      `${name("clientKey")} must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----") when ${name("clientAuth")} is private_key_jwt`,
    );
  }
}

const CLIENT_KEY_REQUIRED = "CLIENT_KEY is required: set it in the environment or in the .env file";

/** `CLIENT_KEY`, from the first layer that sets it. */
function clientKeyOf(layers: readonly Layer[]): string {
  const clientKey = layeredValue(layers)("CLIENT_KEY");
  if (clientKey === undefined) throw new ConfigError(CLIENT_KEY_REQUIRED);
  return clientKey;
}

/**
 * Builds {@link EnvConfig} from `env`, then the `.env` file, then (in a skill's folder) the
 * skills dir's shared `_shared/.env`, throwing {@link ConfigError} on a bad value or an env file
 * its rule refuses. The first source that sets a variable wins; a blank value counts as unset.
 * `AUTH_*`/`CLIENT_*` variables the table lacks are told to `options.onWarning` first (a typo
 * of CLIENT_KEY is said before CLIENT_KEY is found missing). A path's `~` is `env.HOME`, else
 * `home` (the process's).
 */
export function createEnvConfigWith(
  platform: Platform,
  env: EnvSource,
  options: EnvConfigOptions = {},
  home?: string,
): EnvConfig {
  const layers = layersOf(
    platform,
    env,
    options.envFile ?? DEFAULT_ENV_FILE,
    "envFile (--env-file)",
  );
  // Known before the warning is said: a variable's name may hold the key (`AUTH_<key>`).
  rememberSecret(layeredValue(layers)("CLIENT_KEY"));
  const warning = unknownVariablesWarning(layers, NAMES);
  if (warning !== undefined) options.onWarning?.(redactKnown(warning));
  const clientKey = clientKeyOf(layers);
  const read = layeredValue(layers);
  const raw: Record<string, string | undefined> = {};
  for (const field of FIELDS) raw[TABLE[field].name] = read(TABLE[field].name);
  if (!envIsPlain(raw)) configSchemas().validateEnv(raw);
  const values: Values = {};
  const reading: Reading = { home: env.HOME?.trim() || home, name: (field) => TABLE[field].name };
  for (const field of FIELDS) fromEnvText(values, field, raw[TABLE[field].name], reading);
  checkGrant(values, clientKey, reading.name);
  return build(values, clientKey, sourcesOf(layers, NAMES));
}

function fromEnvText<K extends Field>(
  values: Values,
  field: K,
  text: string | undefined,
  reading: Reading,
): void {
  const variable: Variable<Value<K>> = TABLE[field];
  put(values, field, text === undefined ? undefined : variable.fromText(text), reading);
}

/** An option as the environment's text would be: trimmed, blank counting as unset. */
function tidy(value: unknown): unknown {
  if (isString(value)) return value.trim() || undefined;
  if (isStringList(value)) return value.map((item) => item.trim()).filter((item) => item !== "");
  return value;
}

/**
 * Builds {@link EnvConfig} from typed options, with the rules and defaults of the environment
 * table; reads no environment and no file (a path's `~` is `home`, the process's HOME).
 * `clientKeySource` is `"options"`.
 * @throws {ConfigError} naming the option and its rule (never its value), an unknown option,
 *   or a missing `clientKey`.
 * @example
 * const config = createConfig({ clientKey: secret, authBase: "https://gw.example.com" });
 */
export function createConfigWith(options: ConfigOptions, home?: string): EnvConfig {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("createConfig takes an options object");
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) input[key] = tidy(value);
  if (!optionsArePlain(input)) configSchemas().validateOptions(input);
  const values: Values = {};
  const reading: Reading = { home, name: (field) => field };
  for (const field of FIELDS) fromOption(values, field, input[field], reading);
  if (values.clientKey === undefined) throw new ConfigError("clientKey is required");
  checkGrant(values, values.clientKey, (field) => field);
  const sources: Record<string, ConfigSource> = {};
  for (const field of FIELDS) {
    sources[TABLE[field].name] = Object.freeze({
      kind: input[field] === undefined ? "default" : "options",
    });
  }
  return build(values, values.clientKey, Object.freeze(sources));
}

function fromOption<K extends Field>(
  values: Values,
  field: K,
  value: unknown,
  reading: Reading,
): void {
  const variable: Variable<Value<K>> = TABLE[field];
  put(values, field, variable.is(value) ? value : undefined, reading);
}

/**
 * `CLIENT_KEY` from the environment, else from the `.env` file at `envPath`, else (in a skill's
 * folder) from the skills dir's shared `_shared/.env`.
 */
export function loadClientKeyFromEnvWith(
  platform: Platform,
  env: EnvSource,
  envPath = DEFAULT_ENV_FILE,
): string {
  return clientKeyOf(layersOf(platform, env, envPath, "envPath"));
}
