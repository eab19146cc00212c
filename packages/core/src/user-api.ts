/**
 * The names of the user API (`.`) that are the same on every runtime: the error classes,
 * `ApiResponse`, events, the dry-run token, the default detector and retry policy, and the types.
 * Each runtime's entry re-exports this module beside the functions it binds (core's src/index.ts
 * on Bun, @openclaw/auth-runtime-node on Node). It is no entry of the package: Node's build and
 * typecheck reach it from core's source as `@openclaw/auth-runtime/user-api`.
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
} from "./request/api-retry-policy.ts";
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
export type { TokenInfo, TokenManager, TokenSource } from "./token/token-manager.ts";
