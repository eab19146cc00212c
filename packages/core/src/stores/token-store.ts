/** Where tokens live between processes: the store interface, and a store kept in memory. */
import type { CachedToken } from "../cache/cache-file.ts";
import type { StoreWatch } from "./store-watch.ts";

export type { StoreWatch };

export interface WatchOptions {
  /**
   * Only changes of the token, not of the lock (the tiered store's local tier, whose lock is
   * taken and dropped by every waiter in turn while the fleet lock is held elsewhere).
   * @default false
   */
  readonly tokenOnly?: boolean;
}

/** Releases a lock taken with {@link TokenStore.tryLock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * A shared place for tokens, keyed by the cache key (never the client key).
 * The token manager keeps its own in-memory copy in front of it.
 */
export interface TokenStore {
  /** The stored token, or undefined (missing, unreadable or invalid entries are misses). */
  get(key: string): Promise<CachedToken | undefined>;
  /** Stores `token`, unless the stored one expires later. Never leaves a partial entry. */
  set(key: string, token: CachedToken): Promise<void>;
  /** Removes the entry. */
  delete(key: string): Promise<void>;
  /**
   * One attempt at the lock that makes token requests single-flight across processes (or
   * machines): a release function when taken, undefined when someone else holds it.
   * Stores without such a lock leave this out.
   */
  tryLock?(key: string): Promise<ReleaseLock | undefined>;
  /**
   * Starts watching the entry of `key`: a write of its token and a release of its lock end the
   * watch's waits early. Resolves once changes are being watched, or undefined when they cannot
   * be (then waiters only poll). Stores without notifications leave this out.
   */
  watch?(key: string, options?: WatchOptions): Promise<StoreWatch | undefined>;
  /** Where an entry lives, for diagnostics (`status`, `doctor`); never includes a secret. */
  describe?(key: string): string;
}

/** A store that lives as long as the process: for tests and for callers that want no files. */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, CachedToken>();

  async get(key: string): Promise<CachedToken | undefined> {
    return this.#entries.get(key);
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const current = this.#entries.get(key);
    if (!current || current.expiresAt <= token.expiresAt) this.#entries.set(key, token);
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  describe(key: string): string {
    return `memory:${key}`;
  }
}
