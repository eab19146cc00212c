/**
 * Single flight in the process: one token request in the air, shared by every caller, and
 * cancelled when the last caller that could abort has aborted.
 */

import { raceSignal } from "../http/retry.ts";
import type { AuthEventListener, TokenTier } from "../observe/events.ts";
import type { TokenInfo } from "./token-memory.ts";

/** The one token request of this process in the air, shared by every caller. */
export interface Flight {
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

export class SingleFlight {
  /** `POST <token URL>`: the `request` of an aborted wait's error. */
  readonly #request: string;
  #current: Flight | undefined;

  constructor(request: string) {
    this.#request = request;
  }

  /** The flight in the air, if any: a caller joins it rather than start its own. */
  get current(): Flight | undefined {
    return this.#current;
  }

  /** Starts `load` as the flight every caller joins until it settles. */
  start(
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
      if (this.#current === flight) this.#current = undefined;
    });
    // Every caller may have aborted; the shared promise must still not reject unobserved.
    promise.catch(() => {});
    (flight as { promise: Promise<TokenInfo> }).promise = promise;
    this.#current = flight;
    return flight;
  }

  /**
   * Waits for `flight` as one more caller. When the last caller that could abort has aborted,
   * nobody wants the result: the flight is cancelled, so that no request, retry, sleep or lock
   * outlives its callers (and keeps the process alive).
   */
  join<T>(
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
      if (this.#current === flight) this.#current = undefined;
      flight.controller.abort(
        new DOMException("Every caller waiting for the token request aborted", "AbortError"),
      );
    });
  }
}
