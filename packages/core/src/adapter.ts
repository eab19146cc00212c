/**
 * `@openclaw/auth-runtime/adapter`: what a runtime binding, a custom store or a tool built on the
 * runtime needs beyond the user API: the runtime factory and its binding's contract, the
 * platform interface, the stores, the token manager, the origin policy and redaction. It holds
 * nothing of a runtime: @openclaw/auth-runtime-node re-exports it as it is.
 */

export type { CachedToken } from "./cache/cache-file.ts";
export { redactSecrets } from "./errors/redact.ts";
export { withAttemptTimeout } from "./http/attempt-timeout.ts";
export { resolveApiUrl } from "./http/origin-policy.ts";
export { proxyCredentials } from "./http/proxy.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./http/retry.ts";
export { enableDebugLines, formatEventLine } from "./observe/debug-log.ts";
export type { PathInfo, Platform, PrivateFileRead } from "./platform/platform.ts";
export { posixServices } from "./posix/posix-files.ts";
export type { AuthRuntime, RuntimeBinding } from "./runtime/auth-runtime.ts";
export { createAuthRuntime, runtimeOf } from "./runtime/runtime.ts";
export { FileTokenStore, type FileTokenStoreOptions } from "./stores/file-token-store.ts";
export {
  describeRedisUrl,
  type RedisLike,
  RedisTokenStore,
  type RedisTokenStoreOptions,
} from "./stores/redis-token-store.ts";
export { TieredTokenStore } from "./stores/tiered-token-store.ts";
export {
  MemoryTokenStore,
  type ReleaseLock,
  type StoreWatch,
  type TokenStore,
  type WatchOptions,
} from "./stores/token-store.ts";
export {
  DEFAULT_LOCK_WAIT,
  type LockWaitPolicy,
  type TokenManager,
} from "./token/token-manager.ts";
