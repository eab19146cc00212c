/**
 * `@openclaw/auth-runtime/cache`: the cache-file contract shared with the Python port: the files'
 * names and hash input, what a file holds, its size limit, and when a cached token may be served.
 * It imports nothing, so it works on every runtime, a browser's included, and a start-up path
 * (the CLI's warm `token`) applies it without loading the rest. The package's `./cache` is this
 * module itself, not a re-export: each module costs a fresh process start-up time and memory.
 *
 * @example
 * import { cacheFileName, cacheKeyFromDigest, cacheKeyText } from "@openclaw/auth-runtime/cache";
 * const digest = new Bun.CryptoHasher("sha256").update(cacheKeyText(base, key)).digest("hex");
 * console.log(cacheFileName(cacheKeyFromDigest(digest))); // token_9f….json
 */

/** The longest lifetime a token is cached for, whatever the gateway says (`AUTH_MAX_TTL_SEC`). */
export const DEFAULT_MAX_TTL_SEC = 86_400;

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
const REFRESH_JITTER = 0.1;

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
  maxTtlSec: number = DEFAULT_MAX_TTL_SEC,
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
