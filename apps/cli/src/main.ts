#!/usr/bin/env bun
/**
 * openclaw-auth's entry: the warm path of `token`, else the dispatcher (cli.ts).
 *
 * A script calls `token` once per process, so its start-up is what users pay for. In Bun every
 * further module costs a few milliseconds, the runtime (zod, dotenv) more than Bun's own start-up,
 * and `process.stdout` alone ~25 ms (it builds a Node stream). So `token` with a fresh token in
 * the cache file is served from this one module, with core's `./cache` and `./config` rules
 * (which import nothing), node:fs for the one file read, and nothing else (each further module
 * costs a warm run time and about a megabyte); everything else is loaded on demand by cli.ts. No
 * module of the CLI imports this one: it is only the entry, and it lends cli.ts what the rest of
 * the CLI shares with the warm path (the start environment, the token's format; warm-path.ts).
 *
 * The rules are core's, not copies: the plain configuration and .env reader, the cache key and
 * file name, the size limit, the cache-file parse and the freshness test (taking the largest
 * refresh jitter). Whenever anything is not plain (a variable core's plain rules do not check, an
 * unusual .env line, an option other than --json/--quiet/--env-file/--base, a file it would
 * refuse, a token near its refresh point) it leaves the decision to the runtime, so it can only
 * make `token` faster, never different. test/fast-token.test.ts compares it with the runtime.
 */
import * as fs from "node:fs";
import {
  type CachedToken,
  cacheFileName,
  cacheKeyFromDigest,
  cacheKeyText,
  isServable,
  MAX_CACHE_FILE_BYTES,
  parseCacheFile,
  refreshMarginSec,
} from "@openclaw/auth-runtime/cache";
import {
  parsePlainEnv,
  plainConfigOf,
  readEnvFileWith,
  sharedEnvFileOf,
} from "@openclaw/auth-runtime/config";

import type { Env } from "./warm-path.ts";

// ---- The environment ----------------------------------------------------------------------

let startEnv: Env | undefined;

/**
 * The environment the process was started with. Bun loads ./.env, .env.local and
 * .env.<NODE_ENV> into `process.env` before any code runs, so there a ./.env value would look
 * like an environment variable, beat `--env-file`, and hide where CLIENT_KEY came from. On Linux,
 * /proc/self/environ still holds the environment as started; elsewhere this is `process.env`.
 */
export function startEnvironment(): Env {
  startEnv ??= readStartEnvironment();
  return startEnv;
}

function readStartEnvironment(): Env {
  if (process.platform !== "linux") return process.env;
  let text: string;
  try {
    text = fs.readFileSync("/proc/self/environ", "utf8");
  } catch {
    return process.env;
  }
  const env: Record<string, string> = {};
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

// ---- The warm path of `token` -------------------------------------------------------------

/** The configuration the warm path serves from; see plainConfigOf. */
export type WarmConfig = NonNullable<ReturnType<typeof plainConfigOf>>;

/**
 * The variables of a .env file when the runtime's rule lets it be read and every line is plain
 * (else undefined: the runtime decides, and reports). A missing file is no file when
 * `mayBeMissing` (./.env, the shared file); a missing --env-file is an error the CLI reports.
 */
function readPlainEnvFile(path: string, mayBeMissing: boolean): Record<string, string> | undefined {
  const read = readEnvFileWith(fs, path, process.getuid?.());
  if (read.status === "ok") return parsePlainEnv(read.text);
  return read.status === "missing" && mayBeMissing ? {} : undefined;
}

/**
 * The configuration, when core's plain rules take every variable that is set; else undefined
 * (the runtime then validates and reports). `envFile`: `--env-file`, which must exist;
 * undefined reads ./.env if there is one. Then, in a skill's folder under `cwd`, the skills
 * dir's `_shared/.env`. The environment wins; blank counts as unset. An `AUTH_*`/`CLIENT_*`
 * variable the plain rules do not read (a typo the runtime warns about, too) defers; a cache dir
 * of `~/…` is under the environment's HOME, as the runtime's.
 */
export function warmConfig(
  env: Env,
  envFile: string | undefined,
  cwd = process.cwd(),
): WarmConfig | undefined {
  const fileEnv = readPlainEnvFile(envFile ?? ".env", envFile === undefined);
  const shared = sharedEnvFileOf(cwd);
  const sharedEnv = shared === undefined ? {} : readPlainEnvFile(shared, true);
  if (!fileEnv || !sharedEnv) return undefined;
  return plainConfigOf([env, fileEnv, sharedEnv], env.HOME);
}

/** The cache file of `config`, named by core's rules over Bun's SHA-256. */
export function warmCacheFile(config: WarmConfig): string {
  const digest = Bun.CryptoHasher.hash(
    "sha256",
    cacheKeyText(config.authBase, config.clientKey),
    "hex",
  );
  return `${config.cacheDir}/${cacheFileName(cacheKeyFromDigest(digest))}`;
}

/**
 * The cache file's text, if the runtime would read it: a dir and a regular file of ours, no
 * symlinks, no larger than MAX_CACHE_FILE_BYTES (sized before it is read: a 1 GB file would
 * cost twice that in memory).
 */
function readCacheFile(dir: string, path: string): string | undefined {
  const uid = process.getuid?.();
  const ours = (info: { uid: number }) => uid === undefined || info.uid === uid;
  let fd: number;
  try {
    const info = fs.lstatSync(dir);
    if (!info.isDirectory() || !ours(info)) return undefined;
    fd = fs.openSync(
      path,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
  } catch {
    return undefined;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile() || !ours(info) || info.size > MAX_CACHE_FILE_BYTES) return undefined;
    return fs.readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** A token the runtime would serve from the cache file as it is, or undefined. */
export function readWarmToken(
  env: Env,
  envFile: string | undefined,
  nowSec = Date.now() / 1000,
): CachedToken | undefined {
  const config = warmConfig(env, envFile);
  if (!config) return undefined;
  const text = readCacheFile(config.cacheDir, warmCacheFile(config));
  const token = text === undefined ? undefined : parseCacheFile(text);
  // The largest margin any process uses (the full jitter): never serve what a runtime would refresh.
  if (!isServable(token, nowSec, refreshMarginSec(config.minTtlSec, 1))) return undefined;
  // Further ahead than the lifetime cap from now (a lifetime in milliseconds, say): the runtime
  // decides. Its outlivesMaxTtl adds a minute of slack for other hosts' clocks, so within that
  // minute it may still serve the token; deferring it costs one slow start, serving it never.
  return token.expiresAt - nowSec <= config.maxTtlSec ? token : undefined;
}

/** What `token` prints: the token and a newline, or with `json` one line of JSON. */
export function formatToken(
  info: { readonly accessToken: string; readonly expiresAt: number; readonly source: string },
  json: boolean,
  dryRun = false,
): string {
  if (!json) return `${info.accessToken}\n`;
  const expiresIn = Math.max(0, Math.floor(info.expiresAt - Date.now() / 1000));
  const out = {
    token: info.accessToken,
    expiresAt: info.expiresAt,
    expiresIn,
    source: info.source,
    ...(dryRun && { dryRun: true }),
  };
  return `${JSON.stringify(out)}\n`;
}

/**
 * The argv forms the warm path takes: `token` with --json, -q/--quiet, --env-file, --base
 * (in any order, global options before or after). Undefined for anything else.
 */
function warmArgs(argv: readonly string[]) {
  let token = false;
  let json = false;
  let envFile: string | undefined;
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (arg === "token" && !token) token = true;
    else if (arg === "--json" && !json) json = true;
    else if (arg === "-q" || arg === "--quiet") continue;
    else if (name === "--env-file" || name === "--base") {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("-"))) return;
      if (name === "--env-file") envFile = value;
      else base = value;
    } else return undefined;
  }
  return token ? { json, envFile, base } : undefined;
}

/**
 * Writes `text` to `fd` synchronously (node:fs is loaded already; `process.stdout` is not, see
 * the module comment), going on after a partial write; EAGAIN on a non-blocking pipe waits.
 */
function writeAll(fd: number, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(fs.writeSync(fd, bytes));
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      Bun.sleepSync(1);
    }
  }
}

/** Serves `token` from the cache file if it can; false leaves the command to cli.ts. */
async function tryWarmToken(argv: readonly string[]): Promise<boolean> {
  const args = warmArgs(argv);
  if (!args) return false;
  const started = startEnvironment();
  const env = args.base === undefined ? started : { ...started, AUTH_BASE: args.base };
  const token = readWarmToken(env, args.envFile);
  if (!token) return false;
  writeAll(1, formatToken({ ...token, source: "cache" }, args.json));
  return true;
}

if (import.meta.main) {
  // No top-level await: the compiled executable is bytecode, which does not allow it.
  const argv = process.argv.slice(2);
  tryWarmToken(argv)
    .then(async (served) =>
      served ? 0 : (await import("./cli.ts")).main(argv, { startEnvironment, formatToken }),
    )
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        // Only a failed write of the token gets here (cli.ts reports its own errors).
        console.error(`openclaw-auth: OUTPUT_ERROR: ${(error as Error).message}`);
        process.exitCode = 1;
      },
    );
}
