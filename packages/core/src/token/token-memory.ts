/**
 * The process's own copy of the token: what the warm path serves without a promise, and the
 * still-valid token a failed refresh leaves in service for a while.
 */

import { type CachedToken, isServable, refreshMarginSec } from "../cache/cache-file.ts";
import { rememberToken } from "../errors/redact.ts";

/** Where a token came from. `stale` is a still-valid token served because a refresh failed. */
export type TokenSource = "memory" | "cache" | "network" | "stale";

/** A token with its lifetime and where it came from. */
export interface TokenInfo extends CachedToken {
  readonly source: TokenSource;
}

/** After a failed refresh, the still-valid token is served this long before the gateway is asked again. */
const STALE_RETRY_MS = 5_000;

export class TokenMemory {
  /** Seconds before expiry at which this process stops serving a token. */
  readonly #refreshMarginSec: number;
  #token: CachedToken | undefined;
  /** Until then, a failed refresh's still-valid token is served without asking again. */
  #staleUntilMs = 0;

  constructor(minTtlSec: number) {
    this.#refreshMarginSec = refreshMarginSec(minTtlSec);
  }

  /** The token held, fresh or not (a refresh compares it with the refused one). */
  get token(): CachedToken | undefined {
    return this.#token;
  }

  /** True while `token` may be served: `now < expiresAt - minTtlSec` (minus jitter). */
  isFresh(token: CachedToken | undefined, nowSec = Date.now() / 1000): token is CachedToken {
    return isServable(token, nowSec, this.#refreshMarginSec);
  }

  /** The token held, when fresh: the warm path's one check. */
  fresh(): CachedToken | undefined {
    const token = this.#token;
    return this.isFresh(token) ? token : undefined;
  }

  /** The token held, when a refresh failed less than STALE_RETRY_MS ago and it has not expired. */
  stale(): CachedToken | undefined {
    const stale = this.#token;
    if (stale && Date.now() < this.#staleUntilMs && Date.now() / 1000 < stale.expiresAt) {
      return stale;
    }
    return undefined;
  }

  /** A refresh failed and a still-valid token is served: ask the gateway again only later. */
  servingStale(): void {
    this.#staleUntilMs = Date.now() + STALE_RETRY_MS;
  }

  /** Holds `token` unless the one held lives longer (a network token always replaces it). */
  remember(token: CachedToken, source: TokenSource): TokenInfo {
    if (!this.#token || this.#token.expiresAt <= token.expiresAt || source === "network") {
      // A token in use is a secret the process-wide outputs (warnings, debug lines) redact.
      if (this.#token?.accessToken !== token.accessToken) rememberToken(token.accessToken);
      this.#token = token;
    }
    return {
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      expiresIn: token.expiresIn,
      source,
    };
  }

  forget(): void {
    this.#token = undefined;
    this.#staleUntilMs = 0;
  }
}
