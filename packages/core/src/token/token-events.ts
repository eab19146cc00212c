/**
 * What the token manager tells observers: events to its listeners, a call's own listener and
 * the process-wide ones, and the `openclaw.auth.token` span. Nothing is built when nobody
 * observes: the warm path pays a few field reads.
 */

import {
  type AuthEvent,
  type AuthEventListener,
  type EventSink,
  processObservers,
} from "../observe/events.ts";
import { endSpanWithError, type OtelSpan, otelActive, startSpan } from "../observe/otel.ts";
import type { Flight } from "./single-flight.ts";
import type { TokenInfo } from "./token-memory.ts";

/** Who hears one call: its own listener and the span it belongs to (an API request's). */
export interface CallObservers {
  readonly onEvent?: AuthEventListener | undefined;
  readonly parentSpan?: OtelSpan | undefined;
}

export class TokenEvents {
  /** The manager's listeners (and through them the process-wide ones). */
  readonly #events: EventSink;

  constructor(events: EventSink) {
    this.#events = events;
  }

  /** True when an event or a span would reach anyone: the one check of the warm path. */
  observed(onEvent?: AuthEventListener): boolean {
    return onEvent !== undefined || this.#events.active || otelActive();
  }

  /** Reports a warm token (served from memory) to whoever observes. */
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
  observe(
    flight: Flight,
    options: CallObservers,
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
  emit(flight: Flight, event: AuthEvent): void {
    if (flight.listeners.length === 0) {
      if (this.#events.active) this.#events.emit(event);
      return;
    }
    this.#events.with(...flight.listeners).emit(event);
  }
}
