/**
 * Keeps one gateway token fresh: memory, then the shared store, then the network, with
 * single flight in the process (one shared promise) and across processes (the store's lock).
 */

import {
  type CachedToken,
  isServable,
  outlivesMaxTtl,
  refreshMarginSec,
} from "../cache/cache-file.ts";
import type { EnvConfig } from "../config/config.ts";
import { rememberToken } from "../errors/redact.ts";
import type { DiscoveryStore } from "../grants/grant.ts";
import { describeTokenRequest, requestAccessToken } from "../grants/token-request.ts";
import { abortedError, type RetryPolicy, raceSignal, sleep } from "../http/retry.ts";
import {
  type AuthEvent,
  type AuthEventListener,
  EventSink,
  processObservers,
  type TokenTier,
} from "../observe/events.ts";
import {
  endSpanWithError,
  loadOtel,
  type OtelSpan,
  otelActive,
  otelSettled,
  recordTokenRequest,
  startSpan,
} from "../observe/otel.ts";
import type { FetchLike, ProxyUse } from "../platform/platform.ts";
import type { ReleaseLock, StoreWatch, TokenStore } from "../stores/token-store.ts";

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
  /**
   * Wake when the store says the token was written or the lock released (the cache dir's
   * change notifications, Redis pub/sub), polling only as the fallback; false: poll only.
   * @default true
   */
  readonly notify?: boolean;
}

export const DEFAULT_LOCK_WAIT: Readonly<LockWaitPolicy> = Object.freeze({
  initialPollMs: 20,
  maxPollMs: 200,
  giveUpMs: 15_000,
  notify: true,
});

/**
 * A wait opens the store's watch only before a pause this long. Opening one costs CPU (an
 * inotify watch: ~2.5 ms in Bun; a Redis subscriber: a connection), which in a storm of short
 * waits costs the lock holder more than the waits it would shorten; a short pause costs little
 * latency. With the default policy: from the fifth pause, about 160 ms into the wait.
 */
const NOTIFY_FROM_POLL_MS = 100;

/** After a failed refresh, the still-valid token is served this long before the gateway is asked again. */
const STALE_RETRY_MS = 5_000;

export interface TokenManagerOptions {
  readonly config: EnvConfig;
  /** The cache key (see `cacheKeyFor`). */
  readonly key: string;
  /** Shared store behind the in-memory copy; null keeps tokens in memory only. */
  readonly store: TokenStore | null;
  readonly fetch: FetchLike;
  /** The proxy `fetch` uses for a URL, when it is the platform's (a failure then names it). */
  readonly proxyFor?: ((url: string) => ProxyUse | undefined) | undefined;
  readonly retry: RetryPolicy;
  readonly lockWait: LockWaitPolicy;
  readonly warn: (message: string) => void;
  /** Where the manager's events go. @default the process-wide listeners only */
  readonly events?: EventSink;
  /** Where an issuer's discovered token endpoint is shared with other processes. @default none */
  readonly discoveryStore?: DiscoveryStore | undefined;
}

export interface TokenRequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** This call's own listener: the events of serving it. */
  readonly onEvent?: AuthEventListener | undefined;
  /** The span this call belongs to (an API request's). */
  readonly parentSpan?: OtelSpan | undefined;
}

/** A store that can tell which of its tiers served a token (the tiered store: Redis or files). */
interface TierReporting {
  tierOf(token: CachedToken): TokenTier;
}

const hasTiers = (store: TokenStore | null): store is TokenStore & TierReporting =>
  typeof (store as Partial<TierReporting> | null)?.tierOf === "function";

/** The one token request of this process in the air, shared by every caller. */
interface Flight {
  readonly promise: Promise<TokenInfo>;
  /** True for a refresh, whose result never is a rejected token. */
  readonly refresh: boolean;
  /** Cancels the request, its retries, its backoff and lock waits once nobody waits for it. */
  readonly controller: AbortController;
  /** Callers waiting that may still abort; Infinity once one without a signal joined. */
  waiters: number;
  /** The callers' own listeners: they hear what the flight does for them. */
  readonly listeners: AuthEventListener[];
  /** Token request attempts made so far. */
  attempts: number;
  /** Where the flight's token came from. */
  tier: TokenTier;
}

export class TokenManager {
  /**
   * The config it was made with. Other configs may share the manager (config.ts `perRequest`):
   * a request takes its URL, allowed origins and timeout from its own config, never this one.
   */
  readonly config: EnvConfig;
  readonly key: string;
  readonly store: TokenStore | null;
  readonly #options: TokenManagerOptions;
  /** Seconds before expiry at which this process stops serving a token. */
  readonly #refreshMarginSec: number;
  /** `POST <token URL>`: the `request` of an aborted wait's error. */
  readonly #request: string;
  #memory: CachedToken | undefined;
  /** Until then, a failed refresh's still-valid token is served without asking again. */
  #staleUntilMs = 0;
  #flight: Flight | undefined;
  /** The store held a token further ahead than maxTtlSec: replace it, even though it "expires later". */
  #storeHoldsPoison = false;
  readonly #events: EventSink;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#events = options.events ?? new EventSink();
    // Tried on first use of the runtime, not when it is imported.
    void loadOtel();
    this.config = options.config;
    this.key = options.key;
    this.store = options.store;
    this.#refreshMarginSec = refreshMarginSec(options.config.minTtlSec);
    this.#request = describeTokenRequest(options.config);
  }

  /** True while `token` may be served: `now < expiresAt - minTtlSec` (minus jitter). */
  isFresh(token: CachedToken | undefined, nowSec = Date.now() / 1000): token is CachedToken {
    return isServable(token, nowSec, this.#refreshMarginSec);
  }

  /** The in-memory token, when fresh: the fast path of every request. */
  peekFresh(): CachedToken | undefined {
    const token = this.#memory;
    return this.isFresh(token) ? token : undefined;
  }

  /** A fresh token: from memory, else the store, else one token request shared by all callers. */
  getToken(options: TokenRequestOptions = {}): Promise<TokenInfo> {
    const token = this.peekFresh();
    if (token) {
      this.noteWarm(options.onEvent, options.parentSpan);
      return Promise.resolve({ ...token, source: "memory" });
    }
    const stale = this.#memory;
    if (stale && Date.now() < this.#staleUntilMs && Date.now() / 1000 < stale.expiresAt) {
      this.noteWarm(options.onEvent, options.parentSpan);
      return Promise.resolve({ ...stale, source: "stale" });
    }
    // An aborted caller must not start a token request that would outlive it.
    if (options.signal?.aborted)
      return Promise.reject(abortedError("Getting a token", options.signal, this.#request));
    // The first cold token waits for the one try at importing OpenTelemetry, so it has its span.
    if (!otelSettled()) return loadOtel().then(() => this.getToken(options));
    const flight = this.#flight ?? this.#share((signal, f) => this.#load(signal, f), false);
    return this.#observe(
      flight,
      options,
      false,
      this.#join(flight, flight.promise, options.signal, "Getting a token"),
    );
  }

  /** True when an event or a span would reach anyone: the one check of the warm path. */
  observed(onEvent?: AuthEventListener): boolean {
    return onEvent !== undefined || this.#events.active || otelActive();
  }

  /** Reports a warm token (served from memory) to whoever observes: the runtime's fast paths call it. */
  noteWarm(onEvent?: AuthEventListener, parentSpan?: OtelSpan): void {
    // The one check of the warm path when nobody observes: plain fields, nothing built.
    if (onEvent === undefined && !this.#events.hasOwn && processObservers.count === 0) return;
    startSpan(
      "openclaw.auth.token",
      { "openclaw.auth.tier": "memory", "openclaw.auth.attempts": 0 },
      parentSpan,
    )?.end();
    if (onEvent !== undefined || this.#events.active) {
      this.#events
        .with(onEvent)
        .emit({ type: "token.acquired", source: "memory", ms: 0, attempts: 0 });
    }
  }

  /**
   * Joins a caller's listener to `flight` and, when anyone observes, reports the outcome of
   * `promise` to it: `token.acquired` (or `token.refreshed`) and the `openclaw.auth.token` span.
   */
  #observe(
    flight: Flight,
    options: TokenRequestOptions,
    refresh: boolean,
    promise: Promise<TokenInfo>,
  ): Promise<TokenInfo> {
    const { onEvent } = options;
    if (onEvent) flight.listeners.push(onEvent);
    if (!this.observed(onEvent)) return promise;
    const startedMs = Date.now();
    const span = startSpan(
      "openclaw.auth.token",
      { "openclaw.auth.refresh": refresh },
      options.parentSpan,
    );
    return promise.then(
      (info) => {
        const ms = Date.now() - startedMs;
        const fromNetwork = info.source === "network";
        // A flight's token never comes from memory: the flight's tier says which store or the
        // network served it (for a stale token, where the flight found it). Only token requests
        // count attempts, so a stored token has none.
        const source = flight.tier;
        const { attempts } = flight;
        if (span) {
          span.setAttribute("openclaw.auth.tier", info.source === "stale" ? "stale" : source);
          span.setAttribute("openclaw.auth.attempts", attempts);
          span.end();
        }
        const sink = this.#events.with(onEvent);
        if (sink.active) {
          sink.emit(
            refresh && fromNetwork
              ? { type: "token.refreshed", ms, attempts }
              : { type: "token.acquired", source, ms, attempts },
          );
        }
        return info;
      },
      (error: unknown) => {
        span?.setAttribute("openclaw.auth.attempts", flight.attempts);
        endSpanWithError(span, error);
        throw error;
      },
    );
  }

  /** Tells the manager's listeners, `onEvent` and the process-wide ones (the request path's events). */
  report(event: AuthEvent, onEvent?: AuthEventListener): void {
    const sink = this.#events.with(onEvent);
    if (sink.active) sink.emit(event);
  }

  /** Tells the manager's listeners and those of the callers of `flight`. */
  #emit(flight: Flight, event: AuthEvent): void {
    if (flight.listeners.length === 0) {
      if (this.#events.active) this.#events.emit(event);
      return;
    }
    this.#events.with(...flight.listeners).emit(event);
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
      if (replaced(this.#memory)) {
        this.noteWarm(options.onEvent, options.parentSpan);
        return { ...this.#memory, source: "memory" };
      }
      if (options.signal?.aborted)
        throw abortedError("Refreshing the token", options.signal, this.#request);
      if (!otelSettled()) await loadOtel();
      const flight =
        this.#flight ?? this.#share((signal, f) => this.#load(signal, f, rejected ?? null), true);
      const what = "Refreshing the token";
      if (flight.refresh) {
        return this.#observe(
          flight,
          options,
          true,
          this.#join(flight, flight.promise, options.signal, what),
        );
      }
      if (options.onEvent) flight.listeners.push(options.onEvent);
      const shared = await this.#join(
        flight,
        flight.promise.catch(() => undefined),
        options.signal,
        what,
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

  #share(
    load: (signal: AbortSignal, flight: Flight) => Promise<TokenInfo>,
    refresh: boolean,
  ): Flight {
    const controller = new AbortController();
    const flight: Flight = {
      promise: Promise.resolve() as unknown as Promise<TokenInfo>,
      refresh,
      controller,
      waiters: 0,
      listeners: [],
      attempts: 0,
      tier: "cache",
    };
    const promise = load(controller.signal, flight).finally(() => {
      if (this.#flight === flight) this.#flight = undefined;
    });
    // Every caller may have aborted; the shared promise must still not reject unobserved.
    promise.catch(() => {});
    (flight as { promise: Promise<TokenInfo> }).promise = promise;
    this.#flight = flight;
    return flight;
  }

  /**
   * Waits for `flight` as one more caller. When the last caller that could abort has aborted,
   * nobody wants the result: the flight is cancelled, so that no request, retry, sleep or lock
   * outlives its callers (and keeps the process alive).
   */
  #join<T>(
    flight: Flight,
    promise: Promise<T>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<T> {
    if (!signal) {
      flight.waiters = Number.POSITIVE_INFINITY;
      return promise;
    }
    flight.waiters++;
    return raceSignal(promise, signal, what, this.#request, () => {
      flight.waiters--;
      if (flight.waiters > 0 || flight.controller.signal.aborted) return;
      // A caller arriving from now on starts a request of its own.
      if (this.#flight === flight) this.#flight = undefined;
      flight.controller.abort(
        new DOMException("Every caller waiting for the token request aborted", "AbortError"),
      );
    });
  }

  /**
   * `rejected`: undefined for a normal load (a fresh stored token will do); a token string or
   * null for a refresh (only a token other than the rejected one, written by someone else, will do).
   */
  async #load(signal: AbortSignal, flight: Flight, rejected?: string | null): Promise<TokenInfo> {
    const refreshing = rejected !== undefined;
    const acceptable = (token: CachedToken | undefined): token is CachedToken =>
      this.isFresh(token) && (!refreshing || (rejected !== null && token.accessToken !== rejected));

    const stored = await this.#readStore();
    if (acceptable(stored)) return this.#rememberStored(flight, stored);

    const lock = await this.#acquireLock(flight, acceptable, signal);
    if ("token" in lock) return this.#rememberStored(flight, lock.token);
    try {
      // A holder before us may have written a token and released the lock since our first
      // read, even when we took the lock at the first try: always read again.
      const latest = await this.#readStore();
      if (acceptable(latest)) return this.#rememberStored(flight, latest);
      return await this.#fetchAndStore(flight, rejected ?? undefined, latest, refreshing, signal);
    } finally {
      await lock.release?.().catch(() => {});
    }
  }

  /** A token from the store, with the tier that served it. */
  #rememberStored(flight: Flight, token: CachedToken): TokenInfo {
    flight.tier = hasTiers(this.store) ? this.store.tierOf(token) : "cache";
    return this.#remember(token, "cache");
  }

  async #fetchAndStore(
    flight: Flight,
    rejected: string | undefined,
    stored: CachedToken | undefined,
    refreshing: boolean,
    signal: AbortSignal,
  ): Promise<TokenInfo> {
    const { config, retry } = this.#options;
    let token: CachedToken;
    const startedMs = Date.now();
    flight.attempts = 1;
    try {
      token = await requestAccessToken({
        config,
        retry,
        fetch: this.#options.fetch,
        proxyFor: this.#options.proxyFor,
        discoveryStore: this.#options.discoveryStore,
        signal,
        onRetry: (info) => {
          flight.attempts = info.attempt + 1;
          this.#emit(flight, { type: "token.retry", ...info });
        },
      });
      flight.tier = "network";
      recordTokenRequest(Date.now() - startedMs, "success", refreshing);
    } catch (error) {
      recordTokenRequest(Date.now() - startedMs, "failure", refreshing);
      // Nobody waits any more: no stale token to serve, no warning to give.
      if (signal.aborted) throw error;
      // A refresh in a process that held no token skips every cached one on purpose (what
      // `refreshAccessToken` and `token --refresh` promise): serving one would hide the failure.
      if (refreshing && rejected === undefined) throw error;
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
        if (fallback !== this.#memory)
          flight.tier = hasTiers(this.store) ? this.store.tierOf(fallback) : "cache";
        else flight.tier = "memory";
        const code = (error as { code?: unknown }).code;
        this.#emit(flight, {
          type: "token.stale_served",
          expiresInSec: Math.max(0, Math.round(fallback.expiresAt - nowSec)),
          error: typeof code === "string" ? code : "ERROR",
        });
        return this.#remember(fallback, "stale");
      }
      throw error;
    }
    try {
      // A refresh replaces what is stored, even a refused token that claims to live longer
      // (the store keeps the later-expiring token otherwise), and so does a token that outlived
      // maxTtlSec. The lock is normally held here.
      if ((refreshing && stored) || this.#storeHoldsPoison) {
        await this.store?.delete(this.key);
        this.#storeHoldsPoison = false;
      }
    } catch (error) {
      this.#options.warn(`could not write the token cache: ${(error as Error).message}`);
    }
    if (token.expiresAt <= Date.now() / 1000) {
      // Served to this call, as the gateway meant it; kept nowhere, so that no later call
      // (here or in another process) takes it for fresh.
      this.#options.warn(
        "the gateway issued a token that had already expired; it is used once and not cached",
      );
      return { ...token, source: "network" };
    }
    try {
      await this.store?.set(this.key, token);
    } catch (error) {
      this.#options.warn(`could not write the token cache: ${(error as Error).message}`);
    }
    return this.#remember(token, "network");
  }

  /** The stored token; one further ahead than maxTtlSec (a poisoned file, say) is a miss. */
  async #readStore(): Promise<CachedToken | undefined> {
    if (!this.store) return undefined;
    let token: CachedToken | undefined;
    try {
      token = await this.store.get(this.key);
    } catch {
      return undefined;
    }
    if (token && outlivesMaxTtl(token, Date.now() / 1000, this.config.maxTtlSec)) {
      this.#storeHoldsPoison = true;
      return undefined;
    }
    return token;
  }

  /** {@link #pollLock}, closing the store's watch it may have opened (docs/locks.md). */
  async #acquireLock(
    flight: Flight,
    acceptable: (token: CachedToken | undefined) => token is CachedToken,
    signal: AbortSignal,
  ): Promise<{ token: CachedToken } | { release: ReleaseLock | undefined }> {
    const notifications: { tried?: boolean; watch?: StoreWatch | undefined } = {};
    try {
      return await this.#pollLock(flight, acceptable, signal, notifications);
    } finally {
      notifications.watch?.close();
    }
  }

  /**
   * Takes the store's lock, polling with growing, jittered sleeps. Each poll re-reads the store:
   * a token written meanwhile ends the wait. Past `giveUpMs`, goes on without the lock.
   * Where the store has notifications, a write or a release ends a sleep early.
   */
  async #pollLock(
    flight: Flight,
    acceptable: (token: CachedToken | undefined) => token is CachedToken,
    signal: AbortSignal,
    notifications: { tried?: boolean; watch?: StoreWatch | undefined },
  ): Promise<{ token: CachedToken } | { release: ReleaseLock | undefined }> {
    const store = this.store;
    if (!store?.tryLock) return { release: undefined };
    const { initialPollMs, maxPollMs, giveUpMs } = this.#options.lockWait;
    const startedMs = Date.now();
    const deadline = startedMs + giveUpMs;
    let pollMs = initialPollMs;
    let waited = false;
    const waitEnded = (outcome: "token" | "acquired" | "gave_up") => {
      if (waited) this.#emit(flight, { type: "lock.waited", ms: Date.now() - startedMs, outcome });
    };
    for (;;) {
      if (signal.aborted) throw abortedError("Waiting for the token lock", signal, this.#request);
      let release: ReleaseLock | undefined;
      try {
        release = await store.tryLock(this.key);
      } catch (error) {
        this.#options.warn(
          `token lock unavailable (${(error as Error).message}); going on without it`,
        );
        return { release: undefined };
      }
      if (release) {
        waitEnded("acquired");
        return { release };
      }
      const token = await this.#readStore();
      if (acceptable(token)) {
        waited = true;
        waitEnded("token");
        return { token };
      }
      if (Date.now() >= deadline) {
        waitEnded("gave_up");
        this.#options.warn(`waited ${giveUpMs} ms for the token lock; going on without it`);
        return { release: undefined };
      }
      waited = true;
      if (
        !notifications.tried &&
        pollMs >= NOTIFY_FROM_POLL_MS &&
        this.#options.lockWait.notify !== false
      ) {
        notifications.tried = true;
        notifications.watch = await store.watch?.(this.key).catch(() => undefined);
        // Opened at the first wait: a change between our last look and then wakes nobody, so
        // look once more. From now on, a change ends a sleep early.
        if (notifications.watch) continue;
      }
      const pauseMs = pollMs * (0.5 + Math.random());
      if (notifications.watch) {
        await notifications.watch.wait(pauseMs, signal);
        // Most wakes are the token's write: a read is a fraction of a try at the lock, and with
        // every waiter woken at once, the holder still finishing its release gets the CPU back.
        // After an abort the read is skipped: the loop's next turn throws the abort.
        const written = signal.aborted ? undefined : await this.#readStore();
        if (acceptable(written)) {
          waitEnded("token");
          return { token: written };
        }
      } else await sleep(pauseMs, signal, this.#request);
      pollMs = Math.min(maxPollMs, pollMs * 1.5);
    }
  }

  #remember(token: CachedToken, source: TokenSource): TokenInfo {
    if (!this.#memory || this.#memory.expiresAt <= token.expiresAt || source === "network") {
      // A token in use is a secret the process-wide outputs (warnings, debug lines) redact.
      if (this.#memory?.accessToken !== token.accessToken) rememberToken(token.accessToken);
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
