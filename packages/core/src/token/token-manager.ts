/**
 * Keeps one gateway token fresh: memory, then the shared store, then the network, with
 * single flight in the process (single-flight.ts) and across processes (lock-wait.ts).
 * Public only as the `TokenManager` interface; the runtime and the request paths use the
 * internal one, which adds the warm path and the span of an API request.
 */

import type { CachedToken } from "../cache/cache-file.ts";
import type { EnvConfig } from "../config/config.ts";
import { describeTokenRequest } from "../grants/token-endpoint.ts";
import { abortedError } from "../http/retry.ts";
import { type AuthEvent, type AuthEventListener, EventSink } from "../observe/events.ts";
import { loadOtel, type OtelSpan, otelSettled } from "../observe/otel.ts";
import { lazy } from "../platform/lazy.ts";
import type { TokenStore } from "../stores/token-store.ts";
import { type LockWaitPolicy, waitForLock } from "./lock-wait.ts";
import { type Flight, SingleFlight } from "./single-flight.ts";
import { StoreReads } from "./store-reads.ts";
import { TokenEvents } from "./token-events.ts";
import type { FetchParts, TokenRequestSettings } from "./token-fetch.ts";
import { type TokenInfo, TokenMemory } from "./token-memory.ts";

/**
 * The token request (either grant, discovery, the bounded fetch), loaded by the first flight
 * that must ask the gateway: a process served from memory or the store, or by another
 * process's request while it waits, never loads it.
 */
const tokenFetch = lazy<typeof import("./token-fetch.ts")>(() => require("./token-fetch.ts"));

// The token layer's face: the layers above import the manager's types and defaults from here,
// not from the modules that define them.
export { DEFAULT_LOCK_WAIT, type LockWaitPolicy } from "./lock-wait.ts";
export type { TokenInfo, TokenSource } from "./token-memory.ts";

/** A call for a token: its signal and its own listener. */
export interface TokenCallOptions {
  readonly signal?: AbortSignal | undefined;
  /** This call's own listener: the events of serving it. */
  readonly onEvent?: AuthEventListener | undefined;
}

/** A refresh: `rejectedToken` (default: the token held) is the one the gateway refused. */
export interface TokenRefreshOptions extends TokenCallOptions {
  readonly rejectedToken?: string;
}

/** The token of one config, kept fresh (made by `createTokenManager`). */
export interface TokenManager {
  /**
   * The config it was made with. Other configs that share its token may share the manager: a
   * request takes its URL, allowed origins and timeout from its own config, never this one.
   */
  readonly config: EnvConfig;
  /** The cache key: the name of the token in the store. */
  readonly key: string;
  /** The shared store behind the in-memory copy; null keeps tokens in memory only. */
  readonly store: TokenStore | null;
  /** True while `token` may be served: `now < expiresAt - minTtlSec` (minus jitter). */
  isFresh(token: CachedToken | undefined, nowSec?: number): token is CachedToken;
  /** A fresh token: from memory, else the store, else one token request shared by all callers. */
  getToken(options?: TokenCallOptions): Promise<TokenInfo>;
  /**
   * A new token, skipping both caches. If another caller already replaced the rejected token,
   * that replacement is served.
   */
  refresh(options?: TokenRefreshOptions): Promise<TokenInfo>;
  /** Forgets the token here and in the store. */
  clear(): Promise<void>;
}

/** A call from inside the runtime: it may belong to an API request's span. */
export interface TokenRequestOptions extends TokenCallOptions {
  /** The span this call belongs to (an API request's). */
  readonly parentSpan?: OtelSpan | undefined;
}

/** What the runtime and the request paths call besides the public methods. */
export interface InternalTokenManager extends TokenManager {
  getToken(options?: TokenRequestOptions): Promise<TokenInfo>;
  refresh(options?: TokenRequestOptions & { rejectedToken?: string }): Promise<TokenInfo>;
  /**
   * The warm path: the token in memory when fresh, reported to whoever observes, with no
   * promise built; undefined sends the caller to `getToken`.
   */
  warmToken(onEvent?: AuthEventListener, parentSpan?: OtelSpan): CachedToken | undefined;
  /** Tells the manager's listeners, `onEvent` and the process-wide ones (the request path's events). */
  report(event: AuthEvent, onEvent?: AuthEventListener): void;
}

export interface TokenManagerOptions extends TokenRequestSettings {
  /** The cache key (see `cacheKeyFor`). */
  readonly key: string;
  /** Shared store behind the in-memory copy; null keeps tokens in memory only. */
  readonly store: TokenStore | null;
  readonly lockWait: LockWaitPolicy;
  /** Where the manager's events go. @default the process-wide listeners only */
  readonly events?: EventSink;
}

/** A token manager over `options` (the runtime's `createTokenManager` fills in the defaults). */
export function newTokenManager(options: TokenManagerOptions): InternalTokenManager {
  return new Manager(options);
}

/**
 * The internal face of a manager the caller hands back (`tokenManager` in a call's options).
 * Every `TokenManager` is made by `newTokenManager`; an object of the caller's own making lacks
 * the internal methods and fails on them, as it did when the class was public.
 */
export const internalOf = (manager: TokenManager): InternalTokenManager =>
  manager as InternalTokenManager;

/** The manager: composes the modules of this folder, one per job, around one flight at a time. */
class Manager implements InternalTokenManager {
  readonly config: EnvConfig;
  readonly key: string;
  readonly store: TokenStore | null;
  readonly #options: TokenManagerOptions;
  /** `POST <token URL>`: the `request` of an aborted wait's error. */
  readonly #request: string;
  readonly #memory: TokenMemory;
  readonly #reads: StoreReads;
  readonly #flights: SingleFlight;
  readonly #events: TokenEvents;
  /** What the network step of a flight reads and writes. */
  readonly #fetchParts: FetchParts;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#events = new TokenEvents(options.events ?? new EventSink());
    // Tried on first use of the runtime, not when it is imported.
    void loadOtel();
    this.config = options.config;
    this.key = options.key;
    this.store = options.store;
    this.#request = describeTokenRequest(options.config);
    this.#memory = new TokenMemory(options.config.minTtlSec);
    this.#reads = new StoreReads(options.store, options.key, options.config.maxTtlSec);
    this.#flights = new SingleFlight(this.#request);
    this.#fetchParts = {
      settings: options,
      memory: this.#memory,
      reads: this.#reads,
      events: this.#events,
    };
  }

  isFresh(token: CachedToken | undefined, nowSec = Date.now() / 1000): token is CachedToken {
    return this.#memory.isFresh(token, nowSec);
  }

  warmToken(onEvent?: AuthEventListener, parentSpan?: OtelSpan): CachedToken | undefined {
    const token = this.#memory.fresh();
    if (token) this.#events.noteWarm(onEvent, parentSpan);
    return token;
  }

  getToken(options: TokenRequestOptions = {}): Promise<TokenInfo> {
    const token = this.warmToken(options.onEvent, options.parentSpan);
    if (token) return Promise.resolve({ ...token, source: "memory" });
    const stale = this.#memory.stale();
    if (stale) {
      this.#events.noteWarm(options.onEvent, options.parentSpan);
      return Promise.resolve({ ...stale, source: "stale" });
    }
    // An aborted caller must not start a token request that would outlive it.
    if (options.signal?.aborted)
      return Promise.reject(abortedError("Getting a token", options.signal, this.#request));
    // The first cold token waits for the one try at importing OpenTelemetry, so it has its span.
    if (!otelSettled()) return loadOtel().then(() => this.getToken(options));
    const flights = this.#flights;
    const flight = flights.current ?? flights.start((signal, f) => this.#load(signal, f), false);
    const joined = flights.join(flight, flight.promise, options.signal, "Getting a token");
    return this.#events.observe(flight, options, false, joined);
  }

  report(event: AuthEvent, onEvent?: AuthEventListener): void {
    this.#events.report(event, onEvent);
  }

  async refresh(
    options: TokenRequestOptions & { rejectedToken?: string } = {},
  ): Promise<TokenInfo> {
    const rejected = options.rejectedToken ?? this.#memory.token?.accessToken;
    const replaced = (info: CachedToken | undefined): info is CachedToken =>
      info !== undefined && info.accessToken !== rejected && this.isFresh(info);
    const flights = this.#flights;
    // A flight already in the air may be a plain load that ends with the rejected token;
    // then a refresh of our own follows. Bounded: the second flight is always ours or a refresh.
    for (;;) {
      const held = this.#memory.token;
      if (replaced(held)) {
        this.#events.noteWarm(options.onEvent, options.parentSpan);
        return { ...held, source: "memory" };
      }
      if (options.signal?.aborted)
        throw abortedError("Refreshing the token", options.signal, this.#request);
      if (!otelSettled()) await loadOtel();
      const flight =
        flights.current ??
        flights.start((signal, f) => this.#load(signal, f, rejected ?? null), true);
      const what = "Refreshing the token";
      if (flight.refresh) {
        const joined = flights.join(flight, flight.promise, options.signal, what);
        return this.#events.observe(flight, options, true, joined);
      }
      if (options.onEvent) flight.listeners.push(options.onEvent);
      const shared = await flights.join(
        flight,
        flight.promise.catch(() => undefined),
        options.signal,
        what,
      );
      if (replaced(shared)) return shared as TokenInfo;
    }
  }

  async clear(): Promise<void> {
    this.#memory.forget();
    await this.store?.delete(this.key);
  }

  /**
   * `rejected`: undefined for a normal load (a fresh stored token will do); a token string or
   * null for a refresh (only a token other than the rejected one, written by someone else, will do).
   */
  async #load(signal: AbortSignal, flight: Flight, rejected?: string | null): Promise<TokenInfo> {
    const refreshing = rejected !== undefined;
    const acceptable = (token: CachedToken | undefined): token is CachedToken =>
      this.isFresh(token) && (!refreshing || (rejected !== null && token.accessToken !== rejected));

    const stored = await this.#reads.read();
    if (acceptable(stored)) return this.#rememberStored(flight, stored);

    const lock = await waitForLock({
      reads: this.#reads,
      policy: this.#options.lockWait,
      acceptable,
      signal,
      request: this.#request,
      warn: this.#options.warn,
      emit: (event) => this.#events.emit(flight, event),
    });
    if ("token" in lock) return this.#rememberStored(flight, lock.token);
    try {
      // A holder before us may have written a token and released the lock since our first
      // read, even when we took the lock at the first try: always read again.
      const latest = await this.#reads.read();
      if (acceptable(latest)) return this.#rememberStored(flight, latest);
      return await tokenFetch().fetchAndStore(this.#fetchParts, flight, {
        rejected: rejected ?? undefined,
        stored: latest,
        refreshing,
        signal,
      });
    } finally {
      await lock.release?.().catch(() => {});
    }
  }

  /** A token from the store, with the tier that served it. */
  #rememberStored(flight: Flight, token: CachedToken): TokenInfo {
    flight.tier = this.#reads.tierOf(token);
    return this.#memory.remember(token, "cache");
  }
}
