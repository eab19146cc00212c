/**
 * Reading the shared store: a token further ahead than maxTtlSec (a poisoned file, say) is a
 * miss, and remembered, so that the next write replaces it although it "expires later".
 */

import { type CachedToken, outlivesMaxTtl } from "../cache/cache-file.ts";
import type { TokenTier } from "../observe/events.ts";
import type { TokenStore } from "../stores/token-store.ts";

/** A store that can tell which of its tiers served a token (the tiered store: Redis or files). */
interface TierReporting {
  tierOf(token: CachedToken): TokenTier;
}

const hasTiers = (store: TokenStore | null): store is TokenStore & TierReporting =>
  typeof (store as Partial<TierReporting> | null)?.tierOf === "function";

export class StoreReads {
  /** Shared store behind the in-memory copy; null keeps tokens in memory only. */
  readonly store: TokenStore | null;
  /** The cache key (see `cacheKeyFor`). */
  readonly key: string;
  readonly #maxTtlSec: number;
  /** The store held a token further ahead than maxTtlSec: replace it, even though it "expires later". */
  #storeHoldsPoison = false;

  constructor(store: TokenStore | null, key: string, maxTtlSec: number) {
    this.store = store;
    this.key = key;
    this.#maxTtlSec = maxTtlSec;
  }

  /** True when the last reads met a poisoned token that no write has replaced yet. */
  get holdsPoison(): boolean {
    return this.#storeHoldsPoison;
  }

  /** The stored token; one further ahead than maxTtlSec (a poisoned file, say) is a miss. */
  async read(): Promise<CachedToken | undefined> {
    if (!this.store) return undefined;
    let token: CachedToken | undefined;
    try {
      token = await this.store.get(this.key);
    } catch {
      return undefined;
    }
    if (token && outlivesMaxTtl(token, Date.now() / 1000, this.#maxTtlSec)) {
      this.#storeHoldsPoison = true;
      return undefined;
    }
    return token;
  }

  /**
   * Deletes the stored token so that the next write replaces it: the store keeps the
   * later-expiring token otherwise, and a refused or poisoned one may claim to live longer.
   */
  async dropStored(): Promise<void> {
    await this.store?.delete(this.key);
    this.#storeHoldsPoison = false;
  }

  /** Which tier of the store served `token` ("cache" for a store of one tier). */
  tierOf(token: CachedToken): TokenTier {
    return hasTiers(this.store) ? this.store.tierOf(token) : "cache";
  }
}
