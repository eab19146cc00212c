/** zod schemas of the two documents the runtime reads: the cache file and the token response. */
import * as z from "zod/mini";

/**
 * What an access token may be: 1..16384 visible ASCII characters, no spaces (RFC 6750 b64token
 * and what JWTs use). Anything else would break the `Authorization` header of every request, or
 * smuggle a header line into it, so it is never accepted, neither from the gateway nor a cache.
 */
export const ACCESS_TOKEN_PATTERN = /^[\x21-\x7E]{1,16384}$/;

/** True when `token` may be sent as a bearer token (see {@link ACCESS_TOKEN_PATTERN}). */
export const isValidAccessToken = (token: string): boolean => ACCESS_TOKEN_PATTERN.test(token);

/** The longest lifetime a token is cached for, whatever the gateway says (`AUTH_MAX_TTL_SEC`). */
export const DEFAULT_MAX_TTL_SEC = 86_400;

/** An `expires_at` above this is epoch milliseconds (1e11 s is the year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;

/** A token with its lifetime, as the runtime holds it. `expiresAt` is epoch seconds. */
export interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly expiresIn: number;
}

/**
 * The cache file, shared with the Python port:
 * `{"access_token": "…", "expires_at": 1234567890.123, "expires_in": 900}`.
 */
export const CacheFileSchema = z.object({
  access_token: z.string().check(z.regex(ACCESS_TOKEN_PATTERN)),
  expires_at: z.number().check(z.refine(Number.isFinite)),
  expires_in: z.optional(z.number().check(z.refine(Number.isFinite))),
});
export type CacheFile = z.infer<typeof CacheFileSchema>;

const seconds = z.union([
  z.number().check(z.refine(Number.isFinite)),
  z.pipe(
    z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*$/)),
    z.transform((v) => Number(v)),
  ),
]);

const TokenFieldsSchema = z.looseObject({
  accessToken: z.optional(z.unknown()),
  access_token: z.optional(z.unknown()),
  expiresIn: z.optional(z.unknown()),
  expires_in: z.optional(z.unknown()),
  expiresAt: z.optional(z.unknown()),
  expires_at: z.optional(z.unknown()),
});

/**
 * A token response: the fields at the top level or inside a `data` wrapper
 * (`{"code":0,"data":{…}}`), camelCase or snake_case. Every field is optional here;
 * {@link tokenFromResponse} decides what is missing.
 */
export const TokenResponseSchema = z.looseObject({
  ...TokenFieldsSchema.shape,
  data: z.optional(z.unknown()),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** Used when the gateway says nothing about the lifetime (DESIGN.md). */
export const DEFAULT_TOKEN_TTL_SEC = 900;

function firstSeconds(...values: unknown[]): number | undefined {
  for (const value of values) {
    const parsed = seconds.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The `exp` claim of a JWT, unverified (the gateway verifies; we only schedule refreshes). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const exp = (JSON.parse(base64UrlDecode(payload)) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** What a token response held: a token, or why there is none usable. */
export type TokenResponseResult =
  | { readonly token: CachedToken }
  | { readonly problem: "missing" | "malformed" };

/**
 * Reads a parsed token response body. The token is the first non-empty `accessToken` or
 * `access_token` string (top level first, then `data`); one that breaks
 * {@link ACCESS_TOKEN_PATTERN} is `malformed`. Lifetime: `expiresIn`, else `expiresAt` (epoch
 * seconds, or milliseconds when above 1e11), else the JWT `exp`, else 900 s; capped at
 * `maxTtlSec`. An `expiresIn <= 0` or an `expiresAt` already past gives a token that is expired
 * on arrival (`expiresAt <= nowSec`): usable once, never to be cached.
 */
export function readTokenResponse(
  body: unknown,
  nowSec: number,
  maxTtlSec = DEFAULT_MAX_TTL_SEC,
): TokenResponseResult {
  const top = TokenResponseSchema.safeParse(body);
  if (!top.success) return { problem: "missing" };
  const wrapped = TokenFieldsSchema.safeParse(top.data.data);
  const fields = [top.data, ...(wrapped.success ? [wrapped.data] : [])];
  const accessToken = fields
    .flatMap((f) => [f.accessToken, f.access_token])
    .find((t): t is string => typeof t === "string" && t !== "");
  if (accessToken === undefined) return { problem: "missing" };
  if (!isValidAccessToken(accessToken)) return { problem: "malformed" };

  const expiresIn = firstSeconds(...fields.flatMap((f) => [f.expiresIn, f.expires_in]));
  if (expiresIn !== undefined) {
    const lifetime = Math.min(expiresIn, maxTtlSec);
    return {
      token: { accessToken, expiresIn: Math.max(0, lifetime), expiresAt: nowSec + lifetime },
    };
  }
  const rawExpiresAt =
    firstSeconds(...fields.flatMap((f) => [f.expiresAt, f.expires_at])) ?? jwtExpiry(accessToken);
  if (rawExpiresAt !== undefined) {
    const seconds = rawExpiresAt > EPOCH_MS_THRESHOLD ? rawExpiresAt / 1000 : rawExpiresAt;
    const expiresAt = Math.min(seconds, nowSec + maxTtlSec);
    return {
      token: { accessToken, expiresAt, expiresIn: Math.max(0, Math.round(expiresAt - nowSec)) },
    };
  }
  const lifetime = Math.min(DEFAULT_TOKEN_TTL_SEC, maxTtlSec);
  return { token: { accessToken, expiresIn: lifetime, expiresAt: nowSec + lifetime } };
}

/** The token in a parsed token response body, or undefined when it carries no valid one. */
export function tokenFromResponse(
  body: unknown,
  nowSec: number,
  maxTtlSec = DEFAULT_MAX_TTL_SEC,
): CachedToken | undefined {
  const result = readTokenResponse(body, nowSec, maxTtlSec);
  return "token" in result ? result.token : undefined;
}

/** Clock skew between processes sharing a cache, and the lifetime's rounding. */
const MAX_TTL_SLACK_SEC = 60;

/** True when `token` lies further ahead than `maxTtlSec` (plus slack): poisoned, not to be served. */
export function outlivesMaxTtl(token: CachedToken, nowSec: number, maxTtlSec: number): boolean {
  return token.expiresAt > nowSec + maxTtlSec + MAX_TTL_SLACK_SEC;
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
 * The token in a cache file's text (or a Redis value), or undefined when the text is not a valid
 * cache file. A token that breaks {@link ACCESS_TOKEN_PATTERN} makes the file invalid.
 */
export function parseCacheFile(text: string): CachedToken | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = CacheFileSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { access_token, expires_at, expires_in } = parsed.data;
  return { accessToken: access_token, expiresAt: expires_at, expiresIn: expires_in ?? 0 };
}
