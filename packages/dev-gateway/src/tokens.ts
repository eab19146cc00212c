/** The token authority: mints the gateway's access tokens and judges the ones it is shown. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { signJwt, verifyJwt } from "./jwt.ts";

/** Why a token was refused, or that it was accepted. */
export type TokenVerdict = "valid" | "invalid" | "expired" | "revoked";

const MIN_SWEEP_SIZE = 1024;

/**
 * A short, stable, one-way name for a client key: what goes into `sub` instead of the key.
 *
 * @example
 * subjectFor("dev-client-key"); // 16 hex characters
 */
export function subjectFor(clientKey: string): string {
  return createHash("sha256").update(clientKey, "utf8").digest("hex").slice(0, 16);
}

/**
 * Issues HS256 tokens signed with a secret that lives only in this instance, and verifies them.
 *
 * `exp` and `iat` are NumericDates with millisecond precision (RFC 7519 allows non-integer values),
 * so a token lives exactly `ttlSec` and a test that waits a little over `ttlSec` sees it expire.
 *
 * @example
 * const authority = new TokenAuthority();
 * const token = authority.issue(900, subjectFor("dev-client-key"));
 * authority.verify(token); // "valid"
 */
export class TokenAuthority {
  readonly #secret: Uint8Array = randomBytes(32);
  readonly #now: () => number;
  /** jti -> expiry (epoch ms) of every unexpired token issued since the last revokeAll. */
  readonly #live = new Map<string, number>();
  /** jti -> expiry (epoch ms) of revoked tokens, kept until they would have expired anyway. */
  readonly #revoked = new Map<string, number>();
  #sweepAt = MIN_SWEEP_SIZE;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Mints a token for `subject` that expires `ttlSec` seconds from now. */
  issue(ttlSec: number, subject: string): string {
    const issuedAt = this.#now();
    const expiresAt = issuedAt + ttlSec * 1000;
    const jti = randomUUID();
    this.#live.set(jti, expiresAt);
    if (this.#live.size + this.#revoked.size >= this.#sweepAt) this.#sweep(issuedAt);
    return signJwt(
      { sub: subject, iat: issuedAt / 1000, exp: expiresAt / 1000, jti },
      this.#secret,
    );
  }

  /** Judges a token: forged or garbled ones are "invalid"; expiry is checked before revocation. */
  verify(token: string): TokenVerdict {
    const claims = verifyJwt(token, this.#secret);
    if (claims === null) return "invalid";
    const { exp, jti } = claims;
    if (typeof exp !== "number" || !Number.isFinite(exp) || typeof jti !== "string") {
      return "invalid";
    }
    if (this.#now() >= Math.round(exp * 1000)) return "expired";
    return this.#revoked.has(jti) ? "revoked" : "valid";
  }

  /**
   * Revokes every token issued so far. Revocation is by jti, not by an issued-before timestamp, so
   * a token minted in the same millisecond right after this call is still valid.
   */
  revokeAll(): void {
    for (const [jti, expiresAt] of this.#live) this.#revoked.set(jti, expiresAt);
    this.#live.clear();
  }

  /** Forgets expired tokens; they are refused as expired without any bookkeeping. */
  #sweep(now: number): void {
    for (const map of [this.#live, this.#revoked]) {
      for (const [jti, expiresAt] of map) if (expiresAt <= now) map.delete(jti);
    }
    // Doubling keeps sweeping amortised O(1) per token even when thousands stay alive.
    this.#sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * (this.#live.size + this.#revoked.size));
  }
}
