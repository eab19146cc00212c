/** Everything runtime-neutral that both the Bun and the Node entry points export. */
export type { ApiBody, ApiRequestInit } from "./api-request.ts";
export { ApiResponse } from "./api-response.ts";
export { type AuthFailureDetector, isAuthFailure } from "./auth-failure.ts";
export { type CachedToken, type CacheFile, parseCacheFile, toCacheFile } from "./cache.ts";
export type { EnvConfig, EnvConfigOptions } from "./config.ts";
export { CONFIG_DEFAULTS, isLoopbackHost } from "./config-rules.ts";
export { DRY_RUN_TOKEN } from "./dry-run.ts";
export {
  ApiError,
  AuthNetworkError,
  AuthRuntimeError,
  AuthSessionError,
  ConfigError,
  ErrorCode,
  isAuthRuntimeError,
} from "./errors.ts";
export { FileTokenStore, type FileTokenStoreOptions } from "./file-token-store.ts";
export { resolveApiUrl } from "./origin-policy.ts";
export type { PathInfo, Platform, PrivateFileRead } from "./platform.ts";
export {
  describeRedisUrl,
  type RedisLike,
  RedisTokenStore,
  type RedisTokenStoreOptions,
} from "./redis-token-store.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
export type {
  AuthFetch,
  AuthFetchOptions,
  AuthRuntime,
  AutoRefreshRequestOptions,
  RequestApiOptions,
  RuntimeBinding,
  TokenManagerInit,
  TokenOptions,
} from "./runtime.ts";
export { createAuthRuntime } from "./runtime.ts";
export {
  DEFAULT_TOKEN_TTL_SEC,
  jwtExpiry,
  type TokenResponse,
  TokenResponseSchema,
  tokenFromResponse,
} from "./schemas.ts";
export { TieredTokenStore } from "./tiered-token-store.ts";
export {
  DEFAULT_LOCK_WAIT,
  type LockWaitPolicy,
  type TokenInfo,
  TokenManager,
  type TokenSource,
} from "./token-manager.ts";
export { MemoryTokenStore, type ReleaseLock, type TokenStore } from "./token-store.ts";
