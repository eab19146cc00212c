/** Backoff, `Retry-After`, abortable waits and how a failed attempt is described. */

import { AuthNetworkError } from "../errors/errors.ts";
import { untilAborted, sleep as waitFor } from "./abort.ts";

/** How the token request retries. */
export interface RetryPolicy {
  /**
   * Retries after the first try, for network errors, timeouts, 408, 429 and 5xx.
   * @default 3
   */
  limit: number;
  /**
   * First backoff ceiling; each retry doubles it (full jitter: a random wait below the ceiling).
   * @default 250
   */
  baseDelayMs: number;
  /**
   * Largest backoff ceiling.
   * @default 4000
   */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` honoured; a longer one fails at once, saying how long was asked.
   * @default 30
   */
  maxRetryAfterSec: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  limit: 3,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterSec: 30,
});

/** Full-jitter exponential backoff before retry number `retry` (0-based). */
export function backoffDelayMs(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.random() * ceiling;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined when absent/invalid. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month; Date.parse alone would read "-1" as the year -1.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, (date - nowMs) / 1000);
}

/**
 * The error a cancelled wait rejects with. `request`: the token request the wait was part of
 * (`POST <token URL>`).
 */
export function abortedError(what: string, signal: AbortSignal, request: string): AuthNetworkError {
  return new AuthNetworkError(`${what} was aborted`, {
    cause: signal.reason,
    reason: "aborted",
    request,
  });
}

/**
 * The wait between retries: abort.ts's plain `sleep`, rejecting with an aborted
 * {@link AuthNetworkError} for `request` (the request waiting) when `signal` aborts first.
 */
export function sleep(ms: number): Promise<void>;
export function sleep(ms: number, signal: AbortSignal, request: string): Promise<void>;
export function sleep(ms: number, signal?: AbortSignal, request = ""): Promise<void> {
  return waitFor(ms, signal, () => abortedError("Waiting", signal as AbortSignal, request));
}

/**
 * Settles like `promise`, or rejects (an aborted {@link AuthNetworkError} for `request`) as soon
 * as `signal` aborts, then calls `onAbort`. The promise goes on for other callers sharing it
 * (single flight): one caller's abort must not fail everyone.
 */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  what: string,
  request: string,
  onAbort?: () => void,
): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(abortedError(what, signal, request));
  }
  return untilAborted(promise, signal, () => abortedError(what, signal, request), onAbort);
}

/** Why a fetch attempt failed without a response: aborted by the caller, timed out, or network. */
export function describeFetchFailure(
  error: unknown,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): { kind: "aborted" | "timeout" | "network"; reason: string } {
  if (signal?.aborted) return { kind: "aborted", reason: "aborted" };
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { kind: "timeout", reason: `timed out after ${timeoutMs} ms` };
  }
  const message = (error instanceof Error ? error.message : String(error)) || "network error";
  // Node's fetch (undici) says only "fetch failed"; what failed (ECONNREFUSED, ENOTFOUND…) is
  // the code of its cause.
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const reason =
    typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
  return { kind: "network", reason };
}
