/**
 * Retries of an API call: which calls are retried (idempotent methods by default), on what
 * (408, 429, 5xx and dropped connections), and how long to wait (the token request's backoff,
 * or the server's `Retry-After` up to a bound).
 */

import { ApiError } from "../errors/errors.ts";
import { describeRequest } from "../http/describe-request.ts";
import { backoffDelayMs, parseRetryAfter, type RetryPolicy, sleep } from "../http/retry.ts";
import type { RequestRetryEvent } from "../observe/events.ts";
import type { ApiResponse } from "./api-response.ts";
import {
  type ApiRetryOption,
  type ApiRetryPolicy,
  DEFAULT_API_RETRY_POLICY,
} from "./api-retry-policy.ts";
import type { SendOptions } from "./send-request.ts";
import { sendApiRequest } from "./send-request.ts";

/** A policy checked and ready: sets for the per-request lookups. */
export interface ResolvedApiRetry extends RetryPolicy {
  readonly methods: ReadonlySet<string>;
  readonly statuses: ReadonlySet<number>;
}

function resolve(policy: ApiRetryPolicy): ResolvedApiRetry {
  return {
    limit: policy.limit,
    baseDelayMs: policy.baseDelayMs,
    maxDelayMs: policy.maxDelayMs,
    maxRetryAfterSec: policy.maxRetryAfterSec,
    methods: new Set(policy.methods.map((method) => method.toUpperCase())),
    statuses: new Set(policy.statusCodes),
  };
}

const DEFAULT_RESOLVED = resolve(DEFAULT_API_RETRY_POLICY);
/** Each caller's option object is checked once (authFetch passes the same one on every call). */
const resolvedOptions = new WeakMap<object, ResolvedApiRetry>();

function nonNegative(name: string, value: unknown, integer: boolean): void {
  const ok = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!ok || (value as number) < 0) {
    throw new TypeError(
      `retry.${name} must be ${integer ? "an integer" : "a number"} >= 0 (got ${String(value)})`,
    );
  }
}

function check(option: ApiRetryOption): ResolvedApiRetry {
  if (typeof option === "number") {
    nonNegative("limit", option, true);
    return { ...DEFAULT_RESOLVED, limit: option };
  }
  if (typeof option !== "object" || option === null) {
    throw new TypeError(`retry must be a number or an object (got ${String(option)})`);
  }
  const policy = { ...DEFAULT_API_RETRY_POLICY, ...option };
  nonNegative("limit", policy.limit, true);
  for (const name of ["baseDelayMs", "maxDelayMs", "maxRetryAfterSec"] as const) {
    nonNegative(name, policy[name], false);
  }
  if (!Array.isArray(policy.methods) || !policy.methods.every((m) => typeof m === "string")) {
    throw new TypeError("retry.methods must be an array of method names");
  }
  if (!Array.isArray(policy.statusCodes) || !policy.statusCodes.every(Number.isSafeInteger)) {
    throw new TypeError("retry.statusCodes must be an array of HTTP statuses");
  }
  return resolve(policy);
}

/**
 * The retry policy of a `method` call given the caller's `retry` option, or undefined when such
 * a call is not retried. Throws a TypeError naming the field of an invalid option.
 */
export function apiRetryFor(
  method: string,
  option: ApiRetryOption | undefined,
): ResolvedApiRetry | undefined {
  let policy = DEFAULT_RESOLVED;
  if (option !== undefined) {
    if (typeof option === "object" && option !== null) {
      policy = resolvedOptions.get(option) ?? check(option);
      resolvedOptions.set(option, policy);
    } else {
      policy = check(option);
    }
  }
  return policy.limit > 0 && policy.methods.has(method) ? policy : undefined;
}

/** Where a retry is told, and how many times the request went out (for its span). */
export interface RetryReport {
  /** Called right before each retry's wait. */
  readonly onRetry: (event: RequestRetryEvent) => void;
  /** Counts each attempt sent. */
  readonly sent: { count: number };
}

/**
 * `sendApiRequest`, sent again on a retryable status or a dropped connection as `policy` says
 * (none: sent once). A `Retry-After` longer than `policy.maxRetryAfterSec` is not waited for: that
 * response is returned as it is. A caller's abort ends the waits at once; a timeout is not
 * retried (the server may still be working on the first attempt).
 */
export async function sendWithRetries(
  request: SendOptions,
  token: string,
  secrets: readonly string[],
  policy: ResolvedApiRetry | undefined,
  report: RetryReport,
): Promise<ApiResponse> {
  report.sent.count++;
  if (policy === undefined) return sendApiRequest(request, token, secrets);
  for (let attempt = 1; ; attempt++) {
    let delayMs: number;
    let status: number | undefined;
    try {
      const response = await sendApiRequest(request, token, secrets, attempt);
      // The whole cost of retries to an answer that is not retried: this check.
      if (!policy.statuses.has(response.status) || attempt > policy.limit) return response;
      const afterSec = parseRetryAfter(response.headers.get("retry-after"));
      if (afterSec !== undefined && afterSec > policy.maxRetryAfterSec) return response;
      status = response.status;
      delayMs = afterSec === undefined ? backoffDelayMs(policy, attempt - 1) : afterSec * 1000;
    } catch (error) {
      const retryable = error instanceof ApiError && error.reason === "network";
      if (!retryable || attempt > policy.limit) throw error;
      delayMs = backoffDelayMs(policy, attempt - 1);
    }
    report.onRetry(
      status === undefined
        ? { type: "request.retry", method: request.method, reason: "network", delayMs, attempt }
        : {
            type: "request.retry",
            method: request.method,
            reason: "status",
            status,
            delayMs,
            attempt,
          },
    );
    await wait(delayMs, request);
    report.sent.count++;
  }
}

/** Waits `ms` before the next attempt; the caller's abort ends the wait with an ApiError. */
async function wait(ms: number, request: SendOptions): Promise<void> {
  const { signal } = request;
  if (signal === undefined) return sleep(ms);
  const where = describeRequest(request.method, request.url);
  try {
    await sleep(ms, signal, where);
  } catch (error) {
    throw new ApiError(`API request failed: aborted while waiting to retry (${where})`, {
      cause: (error as Error).cause,
      reason: "aborted",
      request: where,
    });
  }
}
