/**
 * The retry policy of an API call and its defaults, public, in a module of their own: the user
 * API exports them, and a process that sends no request loads none of the retry loop
 * (api-retry.ts) that applies them.
 */

import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../http/retry.ts";

/**
 * How an API call retries: the token request's policy ({@link RetryPolicy}: limit, backoff,
 * longest `Retry-After`) and which calls and answers are worth another try.
 */
export interface ApiRetryPolicy extends RetryPolicy {
  /**
   * Methods retried. POST and PATCH are not idempotent: a retried POST may act twice, so it is
   * retried only when named here.
   * @default ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]
   */
  readonly methods: readonly string[];
  /**
   * Statuses retried (a connection dropped or refused is retried too; a timeout is not).
   * @default [408, 429, 500, 502, 503, 504]
   */
  readonly statusCodes: readonly number[];
}

/**
 * The `retry` option of an API call: a number sets `limit` (0: never retry), an object any
 * field of {@link ApiRetryPolicy}, the rest from {@link DEFAULT_API_RETRY_POLICY}.
 */
export type ApiRetryOption = number | Partial<ApiRetryPolicy>;

/**
 * The defaults of {@link ApiRetryPolicy}: two retries (as ky), after the token request's backoff
 * (250 ms doubled up to 4 s, full jitter) or a `Retry-After` of up to 30 s.
 */
export const DEFAULT_API_RETRY_POLICY: Readonly<ApiRetryPolicy> = Object.freeze({
  ...DEFAULT_RETRY_POLICY,
  limit: 2,
  methods: Object.freeze(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]),
  statusCodes: Object.freeze([408, 429, 500, 502, 503, 504]),
});
