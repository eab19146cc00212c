/**
 * @openclaw/auth-runtime: trade a CLIENT_KEY for a short-lived gateway token, keep it cached and
 * fresh across calls and processes, and call the gateway with it. This is the user API; tools
 * and custom stores find the rest in `@openclaw/auth-runtime/adapter`, the cache-file rules in
 * `@openclaw/auth-runtime/cache`.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */

export type { ConfigOptions, ConfigSource, EnvConfig, EnvConfigOptions } from "./config/config.ts";
export {
  ApiError,
  type ApiErrorReason,
  AuthNetworkError,
  type AuthNetworkErrorReason,
  AuthRuntimeError,
  AuthSessionError,
  ConfigError,
  ErrorCode,
  isAuthRuntimeError,
} from "./errors/errors.ts";
export type {
  AuthEvent,
  AuthEventListener,
  AuthEventType,
  CacheWarningEvent,
  ConfigWarningEvent,
  LockWaitedEvent,
  RequestRetriedEvent,
  RequestRetryEvent,
  TokenAcquiredEvent,
  TokenRefreshedEvent,
  TokenRetryEvent,
  TokenStaleServedEvent,
  TokenTier,
} from "./observe/events.ts";
export { subscribe } from "./observe/events.ts";
export type { HeadersInit } from "./platform/platform.ts";
export { ApiResponse } from "./request/api-response.ts";
export {
  type ApiRetryOption,
  type ApiRetryPolicy,
  DEFAULT_API_RETRY_POLICY,
} from "./request/api-retry.ts";
export { type AuthFailureDetector, isAuthFailure } from "./request/auth-failure.ts";
export { DRY_RUN_TOKEN } from "./request/dry-run.ts";
export type {
  ApiRequestInit,
  AuthFetch,
  AuthFetchOptions,
  AutoRefreshRequestOptions,
  FetchLike,
  RefreshOptions,
  RequestApiOptions,
  TokenManagerInit,
  TokenOptions,
} from "./request/options.ts";
export type { ApiBody, RedirectMode } from "./request/send-request.ts";
export {
  authFetch,
  cacheFilePath,
  clearCachedToken,
  createAuthFetch,
  createConfig,
  createEnvConfig,
  createTokenManager,
  getAccessToken,
  getAccessTokenInfo,
  loadClientKeyFromEnv,
  refreshAccessToken,
  requestApi,
  requestApiWithAutoRefresh,
} from "./runtime/api.ts";
export type { TokenInfo, TokenManager, TokenSource } from "./token/token-manager.ts";
