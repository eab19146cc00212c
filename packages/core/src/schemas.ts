/** zod schemas of the two documents the runtime reads: the cache file and the token response. */
import * as z from "zod/mini";

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
  access_token: z.string().check(z.minLength(1)),
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

/**
 * The token in a parsed token response body, or undefined when it carries none.
 * Lifetime: `expiresIn`, else `expiresAt` (epoch seconds), else the JWT `exp`, else 900 s.
 */
export function tokenFromResponse(body: unknown, nowSec: number): CachedToken | undefined {
  const top = TokenResponseSchema.safeParse(body);
  if (!top.success) return undefined;
  const wrapped = TokenFieldsSchema.safeParse(top.data.data);
  const fields = [top.data, ...(wrapped.success ? [wrapped.data] : [])];
  const token = fields
    .flatMap((f) => [f.accessToken, f.access_token])
    .find((t): t is string => typeof t === "string" && t.trim() !== "");
  if (token === undefined) return undefined;
  const accessToken = token.trim();
  const expiresIn = firstSeconds(...fields.flatMap((f) => [f.expiresIn, f.expires_in]));
  if (expiresIn !== undefined && expiresIn > 0) {
    return { accessToken, expiresIn, expiresAt: nowSec + expiresIn };
  }
  const expiresAt =
    firstSeconds(...fields.flatMap((f) => [f.expiresAt, f.expires_at])) ?? jwtExpiry(accessToken);
  if (expiresAt !== undefined) {
    return { accessToken, expiresAt, expiresIn: Math.max(0, Math.round(expiresAt - nowSec)) };
  }
  return {
    accessToken,
    expiresIn: DEFAULT_TOKEN_TTL_SEC,
    expiresAt: nowSec + DEFAULT_TOKEN_TTL_SEC,
  };
}

/** The cache file's content for a token. */
export function toCacheFile(token: CachedToken): CacheFile {
  return {
    access_token: token.accessToken,
    expires_at: token.expiresAt,
    expires_in: token.expiresIn,
  };
}

/** The token in a cache file's text, or undefined when the text is not a valid cache file. */
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
