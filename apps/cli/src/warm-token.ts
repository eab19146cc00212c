/**
 * What the warm path of `token` needs and the rest of the CLI shares: the environment the process
 * was started with, and core's rules for serving a token from the cache file as it is.
 *
 * main.ts (the entry) imports this module and node:fs, nothing else, when it serves `token`; so
 * this module imports only core's `./cache` and `./config` entries (which import nothing) and
 * node:fs. env.ts and commands/token.ts import it too; it imports none of the CLI's modules.
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
