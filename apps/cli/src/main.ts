#!/usr/bin/env bun
/**
 * openclaw-auth's entry: the warm path of `token`, else the dispatcher (cli.ts).
 *
 * A script calls `token` once per process, so its start-up is what users pay for. In Bun every
 * further module costs a few milliseconds, the runtime (zod, dotenv) more than Bun's own start-up,
 * and `process.stdout` alone ~25 ms (it builds a Node stream). So `token` with a fresh token in
 * the cache file is served from here, with node:fs and Bun.write only, and everything else is
 * loaded on demand by cli.ts.
 *
 * The warm path applies the runtime's rules: the same variables and validation, the same cache
 * key, the same refusal of symlinks and other users' files, the same freshness test (taking the
 * largest refresh jitter). Whenever anything is not plain (a variable it does not check, an
 * unusual .env line, an option other than --json/--quiet/--env-file/--base, a file it would
 * refuse, a token near its refresh point) it leaves the decision to the runtime, so it can only
 * make `token` faster, never different. test/fast-token.test.ts compares it with the runtime.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";

export type Env = Readonly<Record<string, string | undefined>>;

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
    text = readFileSync("/proc/self/environ", "utf8");
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

/** Defaults and limits of the runtime's config (packages/core/src/config.ts). */
const DEFAULT_AUTH_BASE = "https://api-gw-test.yuanwei-lnc.com";
const DEFAULT_CACHE_DIR = "/tmp/skill-auth-cache";
const DEFAULT_MIN_TTL_SEC = 60;
const MAX_MIN_TTL_SEC = 86_400;
const MAX_TIMEOUT_MS = 600_000;
/** The runtime refreshes up to this fraction of minTtlSec earlier (token-manager.ts). */
const REFRESH_JITTER = 0.1;
/** AUTH_MAX_TTL_SEC's default: no token is served for longer than this after it was issued. */
const DEFAULT_MAX_TTL_SEC = 86_400;
/** The runtime does not read a cache file larger than this (a hostile one could be gigabytes). */
const MAX_CACHE_FILE_BYTES = 64 * 1024;
/** An access token: visible ASCII without spaces, as the runtime accepts them (DESIGN.md). */
const TOKEN_SYNTAX = /^[\x21-\x7E]{1,16384}$/;
/**
 * Variables the warm path leaves to the runtime: when one is set, the runtime decides. Besides
 * the two it never checks: the lifetime cap, debug output (the runtime prints an event), and the
 * client_credentials grant's variables (another cache key).
 */
const UNCHECKED = [
  "AUTH_ALLOWED_ORIGINS",
  "AUTH_REDIS_URL",
  "AUTH_MAX_TTL_SEC",
  "AUTH_DEBUG",
  "AUTH_GRANT",
  "AUTH_TOKEN_URL",
  "AUTH_ISSUER",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_AUTH",
  "AUTH_SCOPE",
  "AUTH_AUDIENCE",
  "AUTH_RESOURCE",
];

export interface WarmConfig {
  readonly authBase: string;
  readonly clientKey: string;
  readonly cacheDir: string;
  readonly minTtlSec: number;
}

export interface WarmToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly expiresIn: number;
}

/**
 * .env lines read here: blank, comments, and `[export ]NAME=value` with a value dotenv returns
 * unchanged. Any other line leaves the decision to the runtime's dotenv.
 */
const PLAIN_LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_\-.:/@+,~%=]*)$/;

function readPlainEnvFile(path: string | undefined): Env | undefined {
  let text: string;
  try {
    text = readFileSync(path ?? ".env", "utf8");
  } catch (error) {
    // A missing ./.env is no file, as in the runtime; a missing --env-file is an error the CLI
    // reports, as is anything else.
    return path === undefined && (error as { code?: string }).code === "ENOENT" ? {} : undefined;
  }
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = PLAIN_LINE.exec(line.replace(/\r$/, ""));
    if (!match) return undefined;
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Loopback as DESIGN.md defines it: a literal loopback address or exactly `localhost`. Not
 * `*.localhost`: Node resolves those through DNS, so they may be anywhere.
 */
function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname === "[::1]" ||
    hostname === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}

/** AUTH_BASE by the runtime's rules: absolute http(s), no credentials/query/fragment, https or loopback. */
function validAuthBase(value: string): boolean {
  const url = tryUrl(value);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
  if (url.username || url.password || url.search || url.hash) return false;
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
}

const integerIn = (value: string, min: number, max: number) =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;

/**
 * The configuration, when every variable that is set is one checked here and is valid; else
 * undefined (the runtime then validates and reports). `envFile`: `--env-file`, which must exist;
 * undefined reads ./.env if there is one.
 */
export function warmConfig(env: Env, envFile: string | undefined): WarmConfig | undefined {
  const fileEnv = readPlainEnvFile(envFile);
  if (!fileEnv) return undefined;
  // As config.ts pick(): the environment wins; blank counts as unset.
  const pick = (name: string) => env[name]?.trim() || fileEnv[name]?.trim() || undefined;

  if (UNCHECKED.some((name) => pick(name) !== undefined)) return undefined;
  const clientKey = pick("CLIENT_KEY");
  const authBase = pick("AUTH_BASE");
  const cacheDir = pick("AUTH_CACHE_DIR");
  const minTtl = pick("AUTH_MIN_TTL_SEC");
  const sessionPath = pick("AUTH_SESSION_PATH");
  const timeout = pick("AUTH_TIMEOUT_MS");
  if (!clientKey) return undefined;
  if (authBase !== undefined && !validAuthBase(authBase)) return undefined;
  if (cacheDir?.includes("\0")) return undefined;
  if (minTtl !== undefined && !integerIn(minTtl, 0, MAX_MIN_TTL_SEC)) return undefined;
  if (sessionPath !== undefined && !/^\/(?!\/)\S*$/.test(sessionPath)) return undefined;
  if (timeout !== undefined && !integerIn(timeout, 1, MAX_TIMEOUT_MS)) return undefined;
  return {
    authBase: (authBase ?? DEFAULT_AUTH_BASE).replace(/\/+$/, ""),
    clientKey,
    cacheDir: (cacheDir ?? DEFAULT_CACHE_DIR).replace(/(.)\/+$/, "$1"),
    minTtlSec: minTtl === undefined ? DEFAULT_MIN_TTL_SEC : Number(minTtl),
  };
}

/** As cache-key.ts: the first 32 hex characters of SHA-256 over `authBase + "\n" + clientKey`. */
export function warmCacheFile(config: WarmConfig): string {
  const hash = new Bun.CryptoHasher("sha256")
    .update(`${config.authBase}\n${config.clientKey}`)
    .digest("hex");
  return `${config.cacheDir}/token_${hash.slice(0, 32)}.json`;
}

/** The cache file's text, if the runtime would read it: a dir and a regular file of ours, no symlinks. */
function readCacheFile(dir: string, path: string): string | undefined {
  const uid = process.getuid?.();
  try {
    const info = lstatSync(dir);
    if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) return undefined;
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || (uid !== undefined && info.uid !== uid)) return undefined;
    // Sized before it is read: a 1 GB file would cost the fast path twice that in memory.
    if (info.size > MAX_CACHE_FILE_BYTES) return undefined;
    return readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** As schemas.ts CacheFileSchema. */
function parseCacheFile(text: string): WarmToken | undefined {
  let json: { access_token?: unknown; expires_at?: unknown; expires_in?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const { access_token, expires_at, expires_in } = json;
  const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (typeof access_token !== "string" || !TOKEN_SYNTAX.test(access_token) || !finite(expires_at)) {
    return undefined;
  }
  if (expires_in !== undefined && !finite(expires_in)) return undefined;
  return { accessToken: access_token, expiresAt: expires_at, expiresIn: expires_in ?? 0 };
}

/** A token the runtime would serve from the cache file as it is, or undefined. */
export function readWarmToken(
  env: Env,
  envFile: string | undefined,
  nowSec = Date.now() / 1000,
): WarmToken | undefined {
  const config = warmConfig(env, envFile);
  if (!config) return undefined;
  const text = readCacheFile(config.cacheDir, warmCacheFile(config));
  const token = text === undefined ? undefined : parseCacheFile(text);
  const margin = config.minTtlSec * (1 + REFRESH_JITTER);
  if (!token || nowSec >= token.expiresAt - margin) return undefined;
  // Further ahead than any lifetime the runtime grants (or in milliseconds): the runtime decides.
  return token.expiresAt <= nowSec + DEFAULT_MAX_TTL_SEC ? token : undefined;
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
      bytes = bytes.subarray(writeSync(fd, bytes));
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
    .then(async (served) => (served ? 0 : (await import("./cli.ts")).main(argv)))
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
