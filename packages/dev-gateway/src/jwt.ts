/** Compact HS256 JSON Web Tokens (RFC 7519): sign and verify with one shared secret. */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The claims of a token: a JSON object. */
export type JwtClaims = Readonly<Record<string, unknown>>;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEADER = encodeSegment({ alg: "HS256", typ: "JWT" });

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function signature(signingInput: string, secret: Uint8Array): string {
  return createHmac("sha256", secret).update(signingInput).digest("base64url");
}

/**
 * Signs `claims` as an HS256 JWT.
 *
 * Synchronous on purpose (node:crypto rather than WebCrypto) so that `issueToken()` can return a
 * string directly.
 *
 * @example
 * const token = signJwt({ sub: "abc", exp: 1_900_000_000 }, secret);
 */
export function signJwt(claims: JwtClaims, secret: Uint8Array): string {
  const signingInput = `${HEADER}.${encodeSegment(claims)}`;
  return `${signingInput}.${signature(signingInput, secret)}`;
}

/**
 * Returns the claims of `token` if it is a well-formed HS256 JWT signed with `secret`, else
 * `null`. Time claims are not looked at here: that is the token authority's business.
 *
 * @example
 * const claims = verifyJwt(token, secret); // null when forged or garbled
 */
export function verifyJwt(token: string, secret: Uint8Array): JwtClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header, payload, given] = parts as [string, string, string];
  // Buffer's base64 decoder skips characters it does not know, so garbage must be refused first.
  if (!BASE64URL.test(header) || !BASE64URL.test(payload) || !BASE64URL.test(given)) return null;

  // Compare the encoded text, not the decoded bytes: the last base64url character carries unused
  // bits, and a token whose final character was changed must not verify.
  const expected = Buffer.from(signature(`${header}.${payload}`, secret));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;

  const decodedHeader = decodeSegment(header);
  if (!isObject(decodedHeader) || decodedHeader.alg !== "HS256") return null;
  const claims = decodeSegment(payload);
  return isObject(claims) ? claims : null;
}
