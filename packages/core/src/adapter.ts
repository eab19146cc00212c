/**
 * `@openclaw/auth-runtime/adapter`: what a runtime binding, a custom store or a tool built on the
 * runtime needs beyond the user API: the runtime of this build and the factory of others, the
 * platform interface, the stores, the token manager, the origin policy and redaction.
 */
export { posixServices } from "./adapters/posix-files.ts";
export { runtime } from "./api.ts";
export { withAttemptTimeout } from "./attempt-timeout.ts";
export type { CachedToken } from "./cache.ts";
export { enableDebugLines, formatEventLine } from "./debug-log.ts";
export { FileTokenStore, type FileTokenStoreOptions } from "./file-token-store.ts";
export { resolveApiUrl } from "./origin-policy.ts";
export type { PathInfo, Platform, PrivateFileRead } from "./platform.ts";
export { proxyCredentials } from "./proxy.ts";
export { redactSecrets } from "./redact.ts";
export {
  describeRedisUrl,
  type RedisLike,
  RedisTokenStore,
  type RedisTokenStoreOptions,
} from "./redis-token-store.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
export { type AuthRuntime, createAuthRuntime, type RuntimeBinding } from "./runtime.ts";
export { TieredTokenStore } from "./tiered-token-store.ts";
export {
  DEFAULT_LOCK_WAIT,
  type LockWaitPolicy,
  TokenManager,
} from "./token-manager.ts";
export {
  MemoryTokenStore,
  type ReleaseLock,
  type StoreWatch,
  type TokenStore,
  type WatchOptions,
} from "./token-store.ts";
