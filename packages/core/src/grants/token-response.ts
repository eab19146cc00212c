/** zod schema of the one document read from the network: the token response. */
import * as z from "zod/mini";
import { type CachedToken, isValidAccessToken } from "../cache/cache-file.ts";
import { CONFIG_DEFAULTS } from "../config/rules.ts";

/** The longest lifetime a token is cached for, whatever the gateway says (`AUTH_MAX_TTL_SEC`). */
const DEFAULT_MAX_TTL_SEC = CONFIG_DEFAULTS.maxTtlSec;

/** An `expires_at` above this is epoch milliseconds (1e11 s is the year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;

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

/** Used when the gateway says nothing about the lifetime (docs/protocol.md). */
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
 * the access token pattern of cache.ts is `malformed`. Lifetime: `expiresIn`, else `expiresAt` (epoch
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

// ---- OAuth 2.0 (client_credentials) ---------------------------------------------------------

/** RFC 6749 §5.1's fields the runtime reads; others (`scope`, `refresh_token`…) are ignored. */
const OAuthTokenSchema = z.looseObject({
  access_token: z.optional(z.unknown()),
  token_type: z.optional(z.unknown()),
  expires_in: z.optional(z.unknown()),
});

/** What an OAuth token response held: a token, or why there is none usable. */
export type OAuthTokenResult = TokenResponseResult | { readonly problem: "token-type" };

/**
 * Reads a parsed RFC 6749 §5.1 success body: `access_token` (the access token pattern of
 * cache.ts), `token_type` Bearer in any case (a DPoP or MAC token would be sent wrong), and
 * `expires_in` as a number or a numeric string (some servers quote it); without it, the JWT
 * `exp`, else 900 s. The lifetime is capped at `maxTtlSec` as for the session grant.
 */
export function readOAuthTokenResponse(
  body: unknown,
  nowSec: number,
  maxTtlSec = DEFAULT_MAX_TTL_SEC,
): OAuthTokenResult {
  const parsed = OAuthTokenSchema.safeParse(body);
  if (!parsed.success) return { problem: "missing" };
  const { access_token, token_type, expires_in } = parsed.data;
  if (typeof access_token !== "string" || access_token === "") return { problem: "missing" };
  if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer") {
    return { problem: "token-type" };
  }
  // Only §5.1's names: a camelCase `accessToken` or a `data` wrapper is the session grant's.
  return readTokenResponse({ access_token, expires_in }, nowSec, maxTtlSec);
}

/** RFC 6749 §5.2: an `error` code of printable ASCII without `"` and `\`. */
const OAuthErrorSchema = z.looseObject({
  error: z.string().check(z.regex(/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,128}$/)),
  error_description: z.optional(z.unknown()),
});

/** An RFC 6749 §5.2 error response: its code, and its description when it is a string. */
export interface OAuthErrorResponse {
  readonly error: string;
  readonly description: string | undefined;
}

/** The §5.2 error of a parsed error body, or undefined when the body is no such error. */
export function readOAuthError(body: unknown): OAuthErrorResponse | undefined {
  const parsed = OAuthErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const description = parsed.data.error_description;
  return {
    error: parsed.data.error,
    description: typeof description === "string" ? description : undefined,
  };
}
