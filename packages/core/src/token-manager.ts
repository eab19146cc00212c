/**
 * Keeps one gateway token fresh: memory, then the shared store, then the network, with
 * single flight in the process (one shared promise) and across processes (the store's lock).
 */
import type { FetchLike } from "./api-request.ts";
import type { EnvConfig } from "./config.ts";
import { abortedError, type RetryPolicy, raceSignal, sleep } from "./retry.ts";
import type { CachedToken } from "./schemas.ts";
import { requestAccessToken } from "./session.ts";
import type { ReleaseLock, TokenStore } from "./token-store.ts";

/** Where a token came from. `stale` is a still-valid token served because a refresh failed. */
export type TokenSource = "memory" | "cache" | "network" | "stale";

/** A token with its lifetime and where it came from. */
export interface TokenInfo extends CachedToken {
  readonly source: TokenSource;
}

/** How long and how often a process waits for another's token request. */
export interface LockWaitPolicy {
  /** @default 20 */
  readonly initialPollMs: number;
  /** @default 200 */
  readonly maxPollMs: number;
  /**
   * Past this, go on without the lock rather than hang.
   * @default 15000
   */
  readonly giveUpMs: number;
}

export const DEFAULT_LOCK_WAIT: Readonly<LockWaitPolicy> = Object.freeze({
  initialPollMs: 20,
  maxPollMs: 200,
  giveUpMs: 15_000,
});

/** Fraction of `minTtlSec` added at random to the refresh point, so a fleet does not refresh at once. */
const REFRESH_JITTER = 0.1;
/** After a failed refresh, the still-valid token is served this long before the gateway is asked again. */
const STALE_RETRY_MS = 5_000;

export interface TokenManagerOptions {
  readonly config: EnvConfig;
  /** The cache key (see `cacheKeyFor`). */
  readonly key: string;
  /** Shared store behind the in-memory copy; null keeps tokens in memory only. */
  readonly store: TokenStore | null;
  readonly fetch: FetchLike;
  readonly retry: RetryPolicy;
  readonly lockWait: LockWaitPolicy;
  readonly warn: (message: string) => void;
}

export interface TokenRequestOptions {
  readonly signal?: AbortSignal | undefined;
}

/** The one token request of this process in the air, shared by every caller. */
interface Flight {
  readonly promise: Promise<TokenInfo>;
  /** True for a refresh, whose result never is a rejected token. */
  readonly refresh: boolean;
}

export class TokenManager {
  readonly config: EnvConfig;
  readonly key: string;
  readonly store: TokenStore | null;
  readonly #options: TokenManagerOptions;
  /** Seconds before expiry at which this process stops serving a token. */
  readonly #refreshMarginSec: number;
  #memory: CachedToken | undefined;
  /** Until then, a failed refresh's still-valid token is served without asking again. */
  #staleUntilMs = 0;
  #flight: Flight | undefined;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.config = options.config;
    this.key = options.key;
    this.store = options.store;
    const minTtl = options.config.minTtlSec;
    this.#refreshMarginSec = minTtl + Math.random() * REFRESH_JITTER * minTtl;
  }

  /** True while `token` may be served: `now < expiresAt - minTtlSec` (minus jitter). */
  isFresh(token: CachedToken | undefined, nowSec = Date.now() / 1000): token is CachedToken {
    return token !== undefined && nowSec < token.expiresAt - this.#refreshMarginSec;
  }

  /** The in-memory token, when fresh: the fast path of every request. */
  peekFresh(): CachedToken | undefined {
    const token = this.#memory;
    return this.isFresh(token) ? token : undefined;
  }

  /** A fresh token: from memory, else the store, else one token request shared by all callers. */
  getToken(options: TokenRequestOptions = {}): Promise<TokenInfo> {
    const token = this.peekFresh();
    if (token) return Promise.resolve({ ...token, source: "memory" });
    const stale = this.#memory;
    if (stale && Date.now() < this.#staleUntilMs && Date.now() / 1000 < stale.expiresAt) {
      return Promise.resolve({ ...stale, source: "stale" });
    }
    // An aborted caller must not start a token request that would outlive it.
    if (options.signal?.aborted)
      return Promise.reject(abortedError("Getting a token", options.signal));
    const flight = this.#flight ?? this.#share(() => this.#load(), false);
    return raceSignal(flight.promise, options.signal, "Getting a token");
  }

  /**
   * A new token, skipping both caches. `rejectedToken` (default: the current one) is the token
   * the gateway refused; if another caller already replaced it, that replacement is served.
   */
  async refresh(
    options: TokenRequestOptions & { rejectedToken?: string } = {},
  ): Promise<TokenInfo> {
    const rejected = options.rejectedToken ?? this.#memory?.accessToken;
    const replaced = (info: CachedToken | undefined): info is CachedToken =>
      info !== undefined && info.accessToken !== rejected && this.isFresh(info);
    // A flight already in the air may be a plain load that ends with the rejected token;
    // then a refresh of our own follows. Bounded: the second flight is always ours or a refresh.
    for (;;) {
      if (replaced(this.#memory)) return { ...this.#memory, source: "memory" };
      if (options.signal?.aborted) throw abortedError("Refreshing the token", options.signal);
      const flight = this.#flight ?? this.#share(() => this.#load(rejected ?? null), true);
      if (flight.refresh) return raceSignal(flight.promise, options.signal, "Refreshing the token");
      const shared = await raceSignal(
        flight.promise.catch(() => undefined),
        options.signal,
        "Refreshing the token",
      );
      if (replaced(shared)) return shared as TokenInfo;
    }
  }

  /** Forgets the token here and in the store. */
  async clear(): Promise<void> {
    this.#memory = undefined;
    this.#staleUntilMs = 0;
    await this.store?.delete(this.key);
  }

  /** The stored token without any network call, fresh or not. */
  async peekStored(): Promise<CachedToken | undefined> {
    return this.store ? this.store.get(this.key) : this.#memory;
  }

  #share(load: () => Promise<TokenInfo>, refresh: boolean): Flight {
    const promise = load().finally(() => {
      if (this.#flight === flight) this.#flight = undefined;
    });
    // Every caller may have aborted; the shared promise must still not reject unobserved.
    promise.catch(() => {});
    const flight: Flight = { promise, refresh };
    this.#flight = flight;
    return flight;
  }

  /**
   * `rejected`: undefined for a normal load (a fresh stored token will do); a token string or
   * null for a refresh (only a token other than the rejected one, written by someone else, will do).
   */
  async #load(rejected?: string | null): Promise<TokenInfo> {
    const refreshing = rejected !== undefined;
    const acceptable = (token: CachedToken | undefined): token is CachedToken =>
      this.isFresh(token) && (!refreshing || (rejected !== null && token.accessToken !== rejected));

    const stored = await this.#readStore();
    if (acceptable(stored)) return this.#remember(stored, "cache");

    const lock = await this.#acquireLock(acceptable);
    if ("token" in lock) return this.#remember(lock.token, "cache");
    try {
      // A holder before us may have written a token and released the lock since our first
      // read, even when we took the lock at the first try: always read again.
      const latest = await this.#readStore();
      if (acceptable(latest)) return this.#remember(latest, "cache");
      return await this.#fetchAndStore(rejected ?? undefined, latest, refreshing);
    } finally {
      await lock.release?.().catch(() => {});
    }
  }

  async #fetchAndStore(
    rejected: string | undefined,
    stored: CachedToken | undefined,
    refreshing: boolean,
  ): Promise<TokenInfo> {
    const { config, retry } = this.#options;
    let token: CachedToken;
    try {
      token = await requestAccessToken({ config, retry, fetch: this.#options.fetch });
    } catch (error) {
      // A refresh that fails while a token is still really valid serves that token.
      const nowSec = Date.now() / 1000;
      const fallback = [this.#memory, stored]
        .filter(
          (t): t is CachedToken =>
            t !== undefined && t.accessToken !== rejected && nowSec < t.expiresAt,
        )
        .sort((a, b) => b.expiresAt - a.expiresAt)[0];
      if (fallback) {
        this.#options.warn(
          `token refresh failed (${(error as Error).message}); serving the cached token until it expires`,
        );
        this.#staleUntilMs = Date.now() + STALE_RETRY_MS;
        return this.#remember(fallback, "stale");
      }
      throw error;
    }
    try {
      // A refresh replaces what is stored, even a refused token that claims to live longer
      // (the store keeps the later-expiring token otherwise). The lock is normally held here.
      if (refreshing && stored) await this.store?.delete(this.key);
      await this.store?.set(this.key, token);
    } catch (error) {
      this.#options.warn(`could not write the token cache: ${(error as Error).message}`);
    }
    return this.#remember(token, "network");
  }

  async #readStore(): Promise<CachedToken | undefined> {
    if (!this.store) return undefined;
    try {
      return await this.store.get(this.key);
    } catch {
      return undefined;
    }
  }

  /**
   * Takes the store's lock, polling with growing, jittered sleeps. Each poll re-reads the store:
   * a token written meanwhile ends the wait. Past `giveUpMs`, goes on without the lock.
   */
  async #acquireLock(
    acceptable: (token: CachedToken | undefined) => token is CachedToken,
  ): Promise<{ token: CachedToken } | { release: ReleaseLock | undefined }> {
    const store = this.store;
    if (!store?.tryLock) return { release: undefined };
    const { initialPollMs, maxPollMs, giveUpMs } = this.#options.lockWait;
    const deadline = Date.now() + giveUpMs;
    let pollMs = initialPollMs;
    for (;;) {
      let release: ReleaseLock | undefined;
      try {
        release = await store.tryLock(this.key);
      } catch (error) {
        this.#options.warn(
          `token lock unavailable (${(error as Error).message}); going on without it`,
        );
        return { release: undefined };
      }
      if (release) return { release };
      const token = await this.#readStore();
      if (acceptable(token)) return { token };
      if (Date.now() >= deadline) {
        this.#options.warn(`waited ${giveUpMs} ms for the token lock; going on without it`);
        return { release: undefined };
      }
      await sleep(pollMs * (0.5 + Math.random()));
      pollMs = Math.min(maxPollMs, pollMs * 1.5);
    }
  }

  #remember(token: CachedToken, source: TokenSource): TokenInfo {
    if (!this.#memory || this.#memory.expiresAt <= token.expiresAt || source === "network") {
      this.#memory = token;
    }
    return {
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      expiresIn: token.expiresIn,
      source,
    };
  }
}
