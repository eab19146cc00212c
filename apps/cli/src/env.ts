/** The environment a command reads its configuration from, and the secrets known before any output. */
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import type { GlobalOptions } from "./args.ts";
import { type Env, startEnvironment } from "./main.ts";
import { addSecret } from "./output.ts";

export { type Env, startEnvironment };

/** The environment the process was started with (see main.ts), `--base` setting AUTH_BASE. */
export function cliEnvironment(globals: Pick<GlobalOptions, "base">): Env {
  const env = startEnvironment();
  return globals.base === undefined ? env : { ...env, AUTH_BASE: globals.base };
}

/** The `.env` file to read: `--env-file`, else ./.env. */
export const envFileOf = (globals: Pick<GlobalOptions, "envFile">) => globals.envFile ?? ".env";

/** A .env file larger than this is not searched for the key (nor is it a plausible .env). */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/**
 * Registers CLIENT_KEY as a secret before the command line is even parsed, so that no message
 * can repeat it (`openclaw-auth <key>`, `--env-file /nope/<key>`): from the environment the
 * process started with, from `process.env` (Bun may have loaded .env.local into it), and from
 * the .env file the command would read (`--env-file`, else ./.env), when it can be read.
 */
export function registerKnownSecrets(argv: readonly string[]): void {
  addSecret(startEnvironment().CLIENT_KEY);
  addSecret(startEnvironment().CLIENT_KEY?.trim());
  addSecret(process.env.CLIENT_KEY?.trim());
  for (const value of clientKeysIn(readSmallFile(envFileArgument(argv) ?? ".env"))) {
    addSecret(value);
  }
}

/** The last `--env-file` value before `--`, as parseArgs will take it. */
function envFileArgument(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (arg === "--env-file") found = argv[++i];
    else if (arg.startsWith("--env-file=")) found = arg.slice("--env-file=".length);
  }
  return found;
}

/**
 * Whether the .env file at `path` has a non-empty `name=` line (doctor tells a default from a
 * value set explicitly, even to the default's own value).
 */
export function envFileSets(path: string, name: string): boolean {
  const line = new RegExp(
    `^[ \\t]*(?:export[ \\t]+)?${name}[ \\t]*[=:][ \\t]*["'\`]?[^\\s"'\`#]`,
    "m",
  );
  return line.test(readSmallFile(path));
}

function readSmallFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const info = fstatSync(fd);
    return info.isFile() && info.size <= MAX_ENV_FILE_BYTES ? readFileSync(fd, "utf8") : "";
  } catch {
    return "";
  } finally {
    closeSync(fd);
  }
}

/**
 * Every value a CLIENT_KEY line could mean to dotenv (as written, unquoted, without a trailing
 * comment, escapes expanded): registering one too many costs nothing, one too few leaks.
 */
function clientKeysIn(text: string): string[] {
  const values: string[] = [];
  const line = /^[ \t]*(?:export[ \t]+)?CLIENT_KEY[ \t]*[=:][ \t]*(.*)$/gm;
  for (const match of text.matchAll(line)) {
    const raw = (match[1] as string).replace(/\r$/, "").trim();
    values.push(raw, raw.replace(/[ \t]+#.*$/, ""));
    const quoted = /^(["'`])([\s\S]*?)\1/.exec(raw) ?? /^(["'`])([\s\S]*)\1/.exec(raw);
    if (quoted) {
      const inner = quoted[2] as string;
      values.push(inner, inner.trim(), inner.replace(/\\n/g, "\n").replace(/\\r/g, "\r"));
    }
  }
  // A double-quoted value may span lines: the text from its opening quote to the closing one.
  for (const match of text.matchAll(/^[ \t]*(?:export[ \t]+)?CLIENT_KEY[ \t]*=[ \t]*"([^"]*)"/gm)) {
    values.push(match[1] as string);
  }
  return values;
}
