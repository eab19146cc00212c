/** The option objects of the user API, each field with its default. */

import type { EnvConfig } from "../config/config.ts";
import type { RetryPolicy } from "../http/retry.ts";
import type { AuthEventListener } from "../observe/events.ts";
import type { FetchLike } from "../platform/platform.ts";
import type { TokenStore } from "../stores/token-store.ts";
import type { LockWaitPolicy, TokenManager } from "../token/token-manager.ts";
import type { ApiRetryOption } from "./api-retry-policy.ts";
import type { AuthFailureDetector } from "./auth-failure.ts";
import type { ApiBody, ApiRequestInit } from "./send-request.ts";

export type {
  ApiBody,
  ApiRequestInit,
  ApiRetryOption,
  AuthEventListener,
  AuthFailureDetector,
  FetchLike,
};

/** The `retry` option of the API calls, documented once. */
export interface ApiRetryOptions {
  /**
   * Sends the request again when it meets 408, 429, 500, 502, 503, 504 or a dropped connection:
   * for GET, HEAD, OPTIONS, PUT and DELETE unless `methods` says otherwise (POST and PATCH may act
   * twice, so they are retried only when named). Waits the server's `Retry-After` up to
   * `maxRetryAfterSec` (a longer one: the response is returned as it is), else the backoff. A
   * number sets `limit`; `0` turns retries off. Each attempt has the whole per-attempt timeout;
   * a timeout is not retried; an abort ends the waits at once. Separate from the one
   * refresh-and-resend after an auth failure. Each retry is a `request.retry` event.
   * @default DEFAULT_API_RETRY_POLICY (2 retries of idempotent methods, 250 ms x2 up to 4 s, Retry-After up to 30 s)
   * @example
   * await requestApiWithAutoRefresh({ config, method: "POST", url: "/jobs", body,
   *   retry: { methods: ["POST"], limit: 3 } });
   */
  readonly retry?: ApiRetryOption | undefined;
}

/** Which token: the process-wide one of a config, or an explicit manager's. */
export interface TokenOptions {
  /** @default `createEnvConfig()`: the environment and `./.env`, read once per process */
  readonly config?: EnvConfig | undefined;
  /** Use this manager instead of the process-wide one for `config`. */
  readonly tokenManager?: TokenManager | undefined;
  /** No network, no cache: a recognisable fake token (`DRY_RUN_TOKEN`). @default false */
  readonly dryRun?: boolean | undefined;
  /** Cancels this call; the token request goes on for other callers, and stops when none is left. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Told the events of this call: `token.acquired` (or `token.refreshed`), and the
   * `token.retry`, `lock.waited`, `token.stale_served` of the token request it waited for (and
   * `request.retry`, `request.retried_after_auth_failure` for a request). See docs/events.md. @default none
   * @example
   * await getAccessToken({ config, onEvent: (event) => log.debug(event) });
   */
  readonly onEvent?: AuthEventListener | undefined;
}

/** Options of `refreshAccessToken`. */
export interface RefreshOptions extends TokenOptions {
  /**
   * The token the gateway refused. When another caller has already replaced it, that new token
   * is served instead of asking again. @default the token this process holds
   */
  readonly rejectedToken?: string | undefined;
}

/** Options of `createTokenManager`. */
export interface TokenManagerInit {
  readonly config: EnvConfig;
  /** Store behind the in-memory copy; `null` for memory only. @default the cache files (and Redis with `AUTH_REDIS_URL` on Bun) */
  readonly store?: TokenStore | null;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Token request retries. @default DEFAULT_RETRY_POLICY (3 retries, 250 ms x2 up to 4 s) */
  readonly retry?: Partial<RetryPolicy>;
  /** Waiting for another process's token request. @default DEFAULT_LOCK_WAIT (up to 15 s) */
  readonly lockWait?: Partial<LockWaitPolicy>;
  /** Warnings (unusable cache dir, served a stale token). @default console.warn */
  readonly onWarning?: (message: string) => void;
  /**
   * Told every event of this manager: each token served, retry, lock wait, stale token, and the
   * `cache.warning` events that `onWarning` is told as text. @default none
   * @example
   * const tokenManager = createTokenManager({ config, onEvent: (event) => log.debug(event) });
   */
  readonly onEvent?: AuthEventListener;
}

/** Options of `requestApi`: one request with a token you already have. */
export interface RequestApiOptions extends ApiRequestInit, ApiRetryOptions {
  readonly authToken: string;
  /**
   * Resolves paths and applies the origin policy. Without it the URL must be absolute (https,
   * or http to loopback), and the token may go to that URL's own origin only: a redirect is
   * followed only within it, any other is returned unfollowed.
   */
  readonly config?: EnvConfig;
  /** @default config.timeoutMs, else 10000 */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Told this request's events: `request.retry` (no token is acquired here). @default none */
  readonly onEvent?: AuthEventListener | undefined;
}

/** Options of `requestApiWithAutoRefresh`. */
export interface AutoRefreshRequestOptions extends ApiRequestInit, TokenOptions, ApiRetryOptions {
  /** Decides whether a response refused the token. @default isAuthFailure */
  readonly isAuthFailure?: AuthFailureDetector;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
}

/** Options of `createAuthFetch`. */
export interface AuthFetchOptions extends Omit<TokenOptions, "signal">, ApiRetryOptions {
  /** @default isAuthFailure */
  readonly isAuthFailure?: AuthFailureDetector;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /**
   * The largest response body read, counted after decompression.
   * @default 33554432 (32 MiB)
   */
  readonly maxResponseBytes?: number | undefined;
}

/** A `fetch`-compatible function that adds the token and refreshes on auth failures. */
export type AuthFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
