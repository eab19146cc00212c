/** The environment a command reads its configuration from, and the secrets known before any output. */
import * as fs from "node:fs";
import { type EnvFileRead, readEnvFileWith, sharedEnvFileOf } from "@openclaw/auth-runtime/config";
import type { GlobalOptions } from "./args.ts";
import { addSecret } from "./output.ts";
import { type Env, warmPath } from "./warm-path.ts";

export type { Env };

/** The environment the process was started with (main.ts says why it is not `process.env`). */
export const startEnvironment = (): Env => warmPath().startEnvironment();

/** The environment the process was started with (see main.ts), `--base` setting AUTH_BASE. */
export function cliEnvironment(globals: Pick<GlobalOptions, "base">): Env {
  const env = startEnvironment();
  return globals.base === undefined ? env : { ...env, AUTH_BASE: globals.base };
}

/** The `.env` file to read: `--env-file`, else ./.env. */
export const envFileOf = (globals: Pick<GlobalOptions, "envFile">) => globals.envFile ?? ".env";

/**
 * A .env file by the runtime's rule (core's env-file.ts, with node:fs): never a FIFO, a device,
 * a file of another user or one others may write, nor more than 64 KiB.
 */
export function readEnvFile(path: string): EnvFileRead {
  return readEnvFileWith(fs, path, process.getuid?.());
}

/**
 * Registers CLIENT_KEY as a secret before the command line is even parsed, so that no message
 * can repeat it (`openclaw-auth <key>`, `--env-file /nope/<key>`): from the environment the
 * process started with, from `process.env` (Bun may have loaded .env.local into it), and from
 * the .env files the command would read (`--env-file`, else ./.env; in a skill's folder, the
 * skills dir's `_shared/.env`), when the runtime's rule lets them be read.
 */
export function registerKnownSecrets(argv: readonly string[]): void {
  addSecret(startEnvironment().CLIENT_KEY);
  addSecret(startEnvironment().CLIENT_KEY?.trim());
  addSecret(process.env.CLIENT_KEY?.trim());
  const files = [envFileArgument(argv) ?? ".env", sharedEnvFileOf(process.cwd())];
  for (const file of files) {
    if (file === undefined) continue;
    const read = readEnvFile(file);
    if (read.status !== "ok") continue;
    for (const value of clientKeysIn(read.text)) addSecret(value);
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
