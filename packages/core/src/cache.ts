/**
 * The rules a process can apply without loading the runtime, in one module that imports nothing
 * but env-file.ts (the `.env` files' rule and read, which imports nothing either): the
 * configuration's defaults, limits and plain checks (the runtime's zod schema is built on the
 * same predicates), and the cache-file contract shared with the Python port: the file's name and
 * hash input, its content, its size limit and when a cached token may be served. The `./cache`
 * entry of the package, and all that the CLI's warm `token` path loads; few modules, because on
 * that path each further module costs about a millisecond of start-up.
 */

import { type EnvSource, layeredReader } from "./config/env-file.ts";

// ---- Configuration --------------------------------------------------------------------------

/** Defaults of the configuration, in one place (docs/configuration.md). */
export const CONFIG_DEFAULTS: {
  readonly authBase: string;
  readonly cacheDir: string;
  readonly minTtlSec: number;
  readonly sessionPath: string;
  readonly timeoutMs: number;
  readonly maxTtlSec: number;
} = Object.freeze({
  authBase: "https://api-gw-test.yuanwei-lnc.com",
  cacheDir: "/tmp/skill-auth-cache",
  minTtlSec: 60,
  sessionPath: "/auth/session",
  timeoutMs: 10_000,
  maxTtlSec: 86_400,
});

/** Inclusive bounds of the integer variables. */
export const CONFIG_LIMITS: {
  readonly [field in "minTtlSec" | "timeoutMs" | "maxTtlSec"]: {
    readonly min: number;
    readonly max: number;
  };
} = Object.freeze({
  minTtlSec: { min: 0, max: 86_400 },
  timeoutMs: { min: 1, max: 600_000 },
  /** A year: a longer cap would not bound anything a token should live. */
  maxTtlSec: { min: 1, max: 31_536_000 },
});

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"]);

/**
 * True for a literal loopback address (127.0.0.0/8, ::1) or exactly `localhost`: the only hosts
 * plain http may carry a token or the key to. Not `*.localhost`: Node resolves those through DNS
 * and the hosts file, so such a name may point anywhere. One rule for both runtimes.
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

// ---- The rules, one predicate each ------------------------------------------------------------
// config.ts builds its zod schemas from these, and plainConfig below uses them as they are, so a
// start-up path and the runtime cannot disagree about a value.

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const isHttpProtocol = (url: URL | undefined): url is URL =>
  url?.protocol === "http:" || url?.protocol === "https:";

/** An absolute `http:` or `https:` URL. */
export function isAbsoluteHttpUrl(text: string): boolean {
  return isHttpProtocol(tryUrl(text));
}

/** No `user:password@` in the URL (text that is no URL has none). */
export function hasNoUrlCredentials(text: string): boolean {
  const url = tryUrl(text);
  return !url?.username && !url?.password;
}

/** No `?query` and no `#fragment` in the URL (text that is no URL has none). */
export function hasNoQueryOrFragment(text: string): boolean {
  const url = tryUrl(text);
  return !url?.search && !url?.hash;
}

/** No `#fragment` (RFC 6749 §3.2: a token endpoint has none; RFC 8707: nor has a resource). */
export const hasNoFragment = (text: string): boolean => !text.includes("#");

/** AUTH_TOKEN_URL: an absolute http(s) URL, or a path on AUTH_BASE starting with a single `/`. */
export const isTokenUrl = (text: string): boolean => isAbsoluteHttpUrl(text) || isSessionPath(text);

/**
 * A PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), the form WebCrypto imports; a
 * `\n` written literally (one-line environment variables) stands for a line break.
 */
export const isPkcs8Pem = (text: string): boolean =>
  /^-----BEGIN PRIVATE KEY-----\s+[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----$/.test(
    text.replaceAll("\\n", "\n").trim(),
  );

/**
 * `https:`, or plain `http:` to a loopback host: the token request carries the client key, so it
 * goes in clear only where it never leaves the machine.
 */
export function isHttpsOrLoopback(text: string): boolean {
  const url = tryUrl(text);
  return url?.protocol === "https:" || (url !== undefined && isLoopbackHost(url.hostname));
}

/** AUTH_BASE's rules together: absolute http(s), no credentials, query or fragment, https or loopback. */
export function isAuthBase(text: string): boolean {
  return (
    isAbsoluteHttpUrl(text) &&
    hasNoUrlCredentials(text) &&
    hasNoQueryOrFragment(text) &&
    isHttpsOrLoopback(text)
  );
}

/** AUTH_BASE as used: without its trailing `/`, so equal bases give equal cache keys. */
export const normalizeAuthBase = (text: string): string => text.replace(/\/+$/, "");

/**
 * A path starting with a single `/` and without whitespace. A leading `//` would make the token
 * request protocol-relative: another host.
 */
export const isSessionPath = (text: string): boolean => /^\/(?!\/)\S*$/.test(text);

/** A path the file system can take: no NUL byte. */
export const isCacheDir = (text: string): boolean => !text.includes("\0");

/**
 * A path whose `~` the runtime can expand: no leading `~user` (only `~` and `~/…`, the home dir,
 * are; looking another user's home up is the shell's job, and a guess would put the cache in the
 * wrong place).
 */
export const hasNoUserTilde = (text: string): boolean => !/^~[^/]/.test(text);

/** What a path setting's message says of `~` (the rule {@link hasNoUserTilde} checks). */
export const TILDE_RULE = "may start with ~ or ~/ (the home dir) only: ~user is not expanded";

/**
 * A path setting as used: a leading `~` or `~/` is `home` (a `.env` file is not a shell, so
 * `AUTH_CACHE_DIR=~/.cache/x` would otherwise name a dir called `~` in the working dir); any
 * other path is returned as it is (a relative one stays relative to the working dir). Undefined
 * when the path needs a home and `home` is unset or blank.
 */
export function expandHome(path: string, home: string | undefined): string | undefined {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const dir = home?.trim();
  if (!dir) return undefined;
  return path === "~" ? dir : `${dir.replace(/\/+$/, "")}${path.slice(1)}`;
}

/**
 * A boolean variable's text (`AUTH_DEBUG`): `1`, `true`, `yes`, `on` and `0`, `false`, `no`,
 * `off`, in any case, surrounding white space ignored; undefined for anything else, which the
 * runtime refuses ({@link BOOLEAN_RULE}) rather than reading it as off.
 */
export function booleanFromText(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (word === "1" || word === "true" || word === "yes" || word === "on") return true;
  if (word === "0" || word === "false" || word === "no" || word === "off") return false;
  return undefined;
}

/** What a boolean variable's message says after its name. */
export const BOOLEAN_RULE =
  "must be 1, true, yes or on (on), or 0, false, no or off (off), in any case";

/** The cache dir as used: without trailing `/` (but `/` stays `/`). */
export const normalizeCacheDir = (text: string): string => text.replace(/(.)\/+$/, "$1");

/** An integer within `limits` (inclusive). */
export function isIntegerIn(value: number, limits: { min: number; max: number }): boolean {
  return Number.isSafeInteger(value) && value >= limits.min && value <= limits.max;
}

/** Decimal digits only, as a number; anything else (`-1`, `1.5`, `1e3`, ` 7`) is NaN. */
export const integerFromText = (text: string): number => (/^\d+$/.test(text) ? Number(text) : NaN);

/** `scheme://host[:port]` of http(s), with at most a trailing `/`, and no credentials. */
export function isHttpOrigin(text: string): boolean {
  const url = tryUrl(text);
  return isHttpProtocol(url) && url.origin === text.replace(/\/$/, "") && hasNoUrlCredentials(text);
}

/** A `redis://` or `rediss://` URL with a host. */
export function isRedisUrl(text: string): boolean {
  const url = tryUrl(text);
  return (url?.protocol === "redis:" || url?.protocol === "rediss:") && url.hostname !== "";
}

/** The items of a comma-separated list, trimmed, without empty ones. */
export const splitList = (text: string): string[] =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");

// ---- Reading variables --------------------------------------------------------------------
// The .env files (which ones, the rule a file must meet, the never-blocking read, the plain
// parse) live in env-file.ts, which imports nothing either; this entry re-exports them.

export {
  DEFAULT_ENV_FILE,
  type EnvFileRead,
  type EnvFileStats,
  type EnvFileSystem,
  type EnvSource,
  envFileRefusal,
  layeredReader,
  MAX_ENV_FILE_BYTES,
  parsePlainEnv,
  readEnvFileWith,
  sharedEnvFileOf,
} from "./config/env-file.ts";

/**
 * A variable of the configuration's families, `AUTH_*` and `CLIENT_*` (any case, letters, digits
 * and `_`, at most 64 characters): the runtime warns about one its table does not have (a typo
 * such as `AUTH_BSAE` would otherwise be ignored in silence, and the key sent to the default
 * gateway). A name of other characters is no typo of a setting, and is never printed.
 */
export const isConfigFamilyName = (name: string): boolean =>
  /^(?:auth|client)_[a-z0-9_]{0,57}$/i.test(name);

/** The variables {@link plainConfig} reads and decides on. */
const PLAIN_CONFIG_READS: ReadonlySet<string> = new Set([
  "CLIENT_KEY",
  "AUTH_BASE",
  "AUTH_CACHE_DIR",
  "AUTH_SESSION_PATH",
  "AUTH_MIN_TTL_SEC",
  "AUTH_MAX_TTL_SEC",
  "AUTH_TIMEOUT_MS",
]);

/**
 * {@link plainConfig} over `sources` (first wins, as {@link layeredReader}), deferring as well
 * when any source sets an `AUTH_*`/`CLIENT_*` variable it does not read: one of the
 * {@link PLAIN_CONFIG_DEFERS}, or a name the runtime does not know and warns about. So a start-up
 * path never serves silently where the runtime would have said something.
 *
 * @example
 * const config = plainConfigOf([process.env, parsePlainEnv(text) ?? {}], process.env.HOME);
 */
export function plainConfigOf(
  sources: readonly EnvSource[],
  home?: string,
): PlainConfig | undefined {
  for (const source of sources) {
    for (const name in source) {
      if (isConfigFamilyName(name) && !PLAIN_CONFIG_READS.has(name) && source[name]?.trim()) {
        return undefined;
      }
    }
  }
  return plainConfig(layeredReader(...sources), home);
}

/** The part of the configuration {@link plainConfig} decides on its own. */
export interface PlainConfig {
  readonly authBase: string;
  readonly clientKey: string;
  readonly cacheDir: string;
  readonly minTtlSec: number;
  readonly maxTtlSec: number;
}

/**
 * Variables plainConfig leaves to the runtime whenever one is set: the ones it does not check
 * (they change where the token may go, or the cache), debug output (the runtime prints an
 * event), and the client_credentials grant's variables (another cache key).
 */
export const PLAIN_CONFIG_DEFERS: readonly string[] = Object.freeze([
  "AUTH_ALLOWED_ORIGINS",
  "AUTH_REDIS_URL",
  "AUTH_DEBUG",
  "AUTH_GRANT",
  "AUTH_TOKEN_URL",
  "AUTH_ISSUER",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_AUTH",
  "AUTH_SCOPE",
  "AUTH_AUDIENCE",
  "AUTH_RESOURCE",
]);

/**
 * The configuration by the runtime's rules without loading the runtime (zod, dotenv), for a
 * start-up path such as the CLI's warm `token`: the config when every variable set is one
 * checked here and is valid, else undefined (the runtime then validates and reports). It is
 * never different from the runtime's: it decides or it defers.
 *
 * @param read a variable's value as the runtime picks it (see {@link layeredReader}); blank
 *   counts as unset.
 * @param home the environment's `HOME`, for a cache dir of `~/…`; without it such a dir defers.
 * @example
 * const config = plainConfig(layeredReader(process.env, parsePlainEnv(text) ?? {}), process.env.HOME);
 */
export function plainConfig(
  read: (name: string) => string | undefined,
  home?: string,
): PlainConfig | undefined {
  const get = (name: string) => read(name)?.trim() || undefined;
  if (PLAIN_CONFIG_DEFERS.some((name) => get(name) !== undefined)) return undefined;
  const clientKey = get("CLIENT_KEY");
  const authBase = get("AUTH_BASE") ?? CONFIG_DEFAULTS.authBase;
  const cacheDirText = get("AUTH_CACHE_DIR") ?? CONFIG_DEFAULTS.cacheDir;
  const cacheDir = hasNoUserTilde(cacheDirText) ? expandHome(cacheDirText, home) : undefined;
  const sessionPath = get("AUTH_SESSION_PATH") ?? CONFIG_DEFAULTS.sessionPath;
  const integer = (name: string, field: keyof typeof CONFIG_LIMITS) => {
    const text = get(name);
    const value = text === undefined ? CONFIG_DEFAULTS[field] : integerFromText(text);
    return isIntegerIn(value, CONFIG_LIMITS[field]) ? value : undefined;
  };
  const minTtlSec = integer("AUTH_MIN_TTL_SEC", "minTtlSec");
  const maxTtlSec = integer("AUTH_MAX_TTL_SEC", "maxTtlSec");
  const timeoutMs = integer("AUTH_TIMEOUT_MS", "timeoutMs");
  if (
    !clientKey ||
    !isAuthBase(authBase) ||
    cacheDir === undefined ||
    !isCacheDir(cacheDir) ||
    !isSessionPath(sessionPath) ||
    minTtlSec === undefined ||
    maxTtlSec === undefined ||
    timeoutMs === undefined
  ) {
    return undefined;
  }
  return {
    authBase: normalizeAuthBase(authBase),
    clientKey,
    cacheDir: normalizeCacheDir(cacheDir),
    minTtlSec,
    maxTtlSec,
  };
}

// ---- The cache file -------------------------------------------------------------------------

/** A token with its lifetime, as the runtime holds it. `expiresAt` is epoch seconds. */
export interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly expiresIn: number;
}

/** The cache file as written: `{"access_token": "…", "expires_at": 1234567890.123, "expires_in": 900}`. */
export interface CacheFile {
  readonly access_token: string;
  readonly expires_at: number;
  readonly expires_in?: number | undefined;
}

/**
 * What an access token may be: 1..16384 visible ASCII characters, no spaces (RFC 6750 b64token
 * and what JWTs use). Anything else would break the `Authorization` header of every request, or
 * smuggle a header line into it, so it is never accepted, neither from the gateway nor a cache.
 */
export const ACCESS_TOKEN_PATTERN = /^[\x21-\x7E]{1,16384}$/;

/** True when `token` may be sent as a bearer token (see {@link ACCESS_TOKEN_PATTERN}). */
export function isValidAccessToken(token: unknown): token is string {
  return typeof token === "string" && ACCESS_TOKEN_PATTERN.test(token);
}

/** A cache or lock file larger than this is not read: a token file is a few hundred bytes. */
export const MAX_CACHE_FILE_BYTES = 64 * 1024;

/** Each process refreshes up to this fraction of `minTtlSec` earlier, so a fleet does not refresh at once. */
export const REFRESH_JITTER = 0.1;

/** Clock skew between processes sharing a cache, and the lifetime's rounding. */
const MAX_TTL_SLACK_SEC = 60;

/** The text whose SHA-256 names the files: `authBase + "\n" + clientKey`, hashed as UTF-8. */
export function cacheKeyText(authBase: string, clientKey: string): string {
  return `${authBase}\n${clientKey}`;
}

/**
 * The client_credentials grant's hash input: `tokenEndpoint \n clientId \n clientKey \n scope \n
 * audience \n resource`, an unset field the empty string, so a rotated secret or another scope
 * never gets an old token. `tokenEndpoint` is the absolute URL as configured or discovered (a
 * path already resolved against AUTH_BASE), not otherwise normalised.
 */
export function clientCredentialsKeyText(fields: {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientKey: string;
  readonly scope?: string | undefined;
  readonly audience?: string | undefined;
  readonly resource?: string | undefined;
}): string {
  const { tokenEndpoint, clientId, clientKey, scope, audience, resource } = fields;
  return [tokenEndpoint, clientId, clientKey, scope ?? "", audience ?? "", resource ?? ""].join(
    "\n",
  );
}

/** The cache key from the hex SHA-256 of {@link cacheKeyText}: its first 32 characters. */
export function cacheKeyFromDigest(sha256Hex: string): string {
  return sha256Hex.slice(0, 32);
}

/** The cache file's name in the cache dir. */
export const cacheFileName = (key: string): string => `token_${key}.json`;

/** The cached discovery document of an issuer (client_credentials), beside the tokens. */
export const discoveryFileName = (key: string): string => `discovery_${key}.json`;

/** The cross-process lock's name in the cache dir. */
export const lockFileName = (key: string): string => `token_${key}.lock`;

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

/**
 * The token in a cache file's text (or a Redis value), or undefined when the text is not a
 * cache file: JSON with a {@link isValidAccessToken} `access_token`, a finite `expires_at` and,
 * if present, a finite `expires_in`.
 */
export function parseCacheFile(text: string): CachedToken | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const { access_token, expires_at, expires_in } = json as Record<string, unknown>;
  if (!isValidAccessToken(access_token) || !isFiniteNumber(expires_at)) return undefined;
  if (expires_in !== undefined && !isFiniteNumber(expires_in)) return undefined;
  return { accessToken: access_token, expiresAt: expires_at, expiresIn: expires_in ?? 0 };
}

/** The cache file's content for a token. */
export function toCacheFile(token: CachedToken): CacheFile {
  return {
    access_token: token.accessToken,
    expires_at: token.expiresAt,
    expires_in: token.expiresIn,
  };
}

/**
 * True when `token` lies further ahead than `maxTtlSec` (plus a minute of slack): no rule of
 * ours wrote it (a lifetime in milliseconds, say), so it is not served and gets replaced.
 */
export function outlivesMaxTtl(
  token: CachedToken,
  nowSec: number,
  maxTtlSec: number = CONFIG_DEFAULTS.maxTtlSec,
): boolean {
  return token.expiresAt > nowSec + maxTtlSec + MAX_TTL_SLACK_SEC;
}

/** A process's refresh margin: `minTtlSec` plus up to {@link REFRESH_JITTER} of it, at random. */
export function refreshMarginSec(minTtlSec: number, random: number = Math.random()): number {
  return minTtlSec + random * REFRESH_JITTER * minTtlSec;
}

/** True while `token` may be served: `nowSec < expiresAt - marginSec`. */
export function isServable(
  token: CachedToken | undefined,
  nowSec: number,
  marginSec: number,
): token is CachedToken {
  return token !== undefined && nowSec < token.expiresAt - marginSec;
}
