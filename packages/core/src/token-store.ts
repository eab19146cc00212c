/** Where tokens live between processes: the store interface, and a store kept in memory. */
import type { CachedToken } from "./cache.ts";

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
