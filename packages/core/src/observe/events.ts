/**
 * What the runtime did, as events: plain objects whose `type` is the name (a contract, see
 * docs/events.md). They are built only when someone listens, so an unobserved runtime pays one
 * check per call. No event holds the client key, a token or a URL query.
 */

/** Where a token came from: this process's memory, the cache files, the fleet cache, the gateway. */
export type TokenTier = "memory" | "cache" | "redis" | "network";

/** A token was handed to a caller. `attempts`: token request attempts made for it (0 when cached). */
export interface TokenAcquiredEvent {
  readonly type: "token.acquired";
  readonly source: TokenTier;
  /** Milliseconds the caller waited (0 for a warm token). */
  readonly ms: number;
  readonly attempts: number;
}

/** A refresh obtained a new token from the gateway (after an auth failure or an explicit refresh). */
export interface TokenRefreshedEvent {
  readonly type: "token.refreshed";
  readonly ms: number;
  readonly attempts: number;
}

/** A refresh failed while the cached token had not really expired: that token is served. */
export interface TokenStaleServedEvent {
  readonly type: "token.stale_served";
  /** Seconds until the served token really expires. */
  readonly expiresInSec: number;
  /** The failure's error code, e.g. `AUTH_NETWORK_ERROR`. */
  readonly error: string;
}

/** The token request failed in a way worth another try, and will be retried after `delayMs`. */
export interface TokenRetryEvent {
  readonly type: "token.retry";
  /** `network` (refused, reset), `timeout` (the attempt's), `status` (408, 429, 5xx). */
  readonly reason: "network" | "timeout" | "status";
  /** The HTTP status, for `reason: "status"`. */
  readonly status?: number;
  readonly delayMs: number;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
}

/** This process waited for another's token request (the cross-process lock). */
export interface LockWaitedEvent {
  readonly type: "lock.waited";
  readonly ms: number;
  /**
   * How the wait ended: `token` (the holder wrote a token), `acquired` (the lock became ours),
   * `gave_up` (the wait bound passed; going on without it).
   */
  readonly outcome: "token" | "acquired" | "gave_up";
}

/** An API response refused the token; it was refreshed and the request sent once more. */
export interface RequestRetriedEvent {
  readonly type: "request.retried_after_auth_failure";
  readonly method: string;
  /** The status of the refused response. */
  readonly status: number;
}

/**
 * An API request failed in a way worth another try (a retryable status or a dropped connection,
 * on a method its retry policy names) and will be sent again after `delayMs`.
 */
export interface RequestRetryEvent {
  readonly type: "request.retry";
  readonly method: string;
  /** `network` (refused, reset, dropped), `status` (408, 429, 5xx: the policy's statuses). */
  readonly reason: "network" | "status";
  /** The HTTP status, for `reason: "status"`. */
  readonly status?: number;
  /** The wait before the next attempt: the server's `Retry-After`, else the backoff. */
  readonly delayMs: number;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
}

/** A cache, store or lock problem the runtime worked around (what `onWarning` is told). */
export interface CacheWarningEvent {
  readonly type: "cache.warning";
  readonly message: string;
}

/**
 * Something in the configuration the runtime read was ignored: `AUTH_*`/`CLIENT_*` variables its
 * table does not have, each with the name probably meant (what `createEnvConfig`'s `onWarning`
 * is told). Said once per process; names only, never a value.
 */
export interface ConfigWarningEvent {
  readonly type: "config.warning";
  readonly message: string;
}

/** Every event of the runtime; switch on `type`. */
export type AuthEvent =
  | TokenAcquiredEvent
  | TokenRefreshedEvent
  | TokenStaleServedEvent
  | TokenRetryEvent
  | LockWaitedEvent
  | RequestRetriedEvent
  | RequestRetryEvent
  | CacheWarningEvent
  | ConfigWarningEvent;

/** The names of the events. */
export type AuthEventType = AuthEvent["type"];

/** Told each event; must not throw (a throw is swallowed so the runtime goes on). */
export type AuthEventListener = (event: AuthEvent) => void;

/** The process-wide listeners: every runtime in this process tells them everything. */
const globalListeners = new Set<AuthEventListener>();

/**
 * How many process-wide observers there are (subscribers, and OpenTelemetry once loaded): one
 * plain number for the warm path to check before it builds anything.
 */
export const processObservers = { count: 0 };

/**
 * Tells `listener` every event of every runtime in this process (each token manager, store,
 * lock and request), until the returned function is called.
 *
 * @example
 * const unsubscribe = subscribe((event) => log.debug(event.type, event));
 * // …
 * unsubscribe();
 */
export function subscribe(listener: AuthEventListener): () => void {
  // A wrapper, so that subscribing one function twice gives two independent subscriptions.
  const entry: AuthEventListener = (event) => listener(event);
  globalListeners.add(entry);
  processObservers.count++;
  return () => {
    if (globalListeners.delete(entry)) processObservers.count--;
  };
}

/** True when at least one process-wide listener is subscribed. */
export function hasGlobalListeners(): boolean {
  return globalListeners.size > 0;
}

function tell(listener: AuthEventListener, event: AuthEvent): void {
  try {
    listener(event);
  } catch {
    // A listener's bug must not turn a served token into a failure.
  }
}

/**
 * Where one source of events sends them: its own listeners (an `onEvent` of its options, and
 * more added per call) and the process-wide ones. `active` is the cheap check before an event
 * is built.
 */
export class EventSink {
  readonly #own: readonly AuthEventListener[];
  /** True when this sink has listeners of its own (fixed at creation). */
  readonly hasOwn: boolean;

  constructor(...own: (AuthEventListener | undefined)[]) {
    this.#own = own.filter((l): l is AuthEventListener => l !== undefined);
    this.hasOwn = this.#own.length > 0;
  }

  /** True when an event would reach anyone. */
  get active(): boolean {
    return this.hasOwn || globalListeners.size > 0;
  }

  /** A sink telling this one's listeners and `extra` too (a call's own `onEvent`). */
  with(...extra: (AuthEventListener | undefined)[]): EventSink {
    const added = extra.filter((l): l is AuthEventListener => l !== undefined);
    return added.length === 0 ? this : new EventSink(...this.#own, ...added);
  }

  emit(event: AuthEvent): void {
    for (const listener of this.#own) tell(listener, event);
    for (const listener of globalListeners) tell(listener, event);
  }
}

/** A sink nobody but the process-wide listeners hears. */
export const GLOBAL_SINK = new EventSink();
