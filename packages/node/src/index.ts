/**
 * @openclaw/auth-runtime-node: the OpenClaw auth runtime on Node.js >= 20, the same API as
 * `@openclaw/auth-runtime` on Bun. The logic is core's; this module only binds it to Node.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime-node";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
import type { EnvConfig } from "../../core/src/config.ts";
import { FileTokenStore } from "../../core/src/file-token-store.ts";
import { describeRedisUrl } from "../../core/src/redis-token-store.ts";
import { createAuthRuntime } from "../../core/src/runtime.ts";
import type { TokenStore } from "../../core/src/token-store.ts";
import { nodePlatform } from "./node-platform.ts";

export * from "../../core/src/public.ts";
export { nodePlatform };

/**
 * The cache files. Node has no built-in Redis client and this package forces none on you: with
 * `AUTH_REDIS_URL` set, pass a `TieredTokenStore` over your client to `createTokenManager`
 * (packages/core/README.redis.md); until then the files are used and you are told once.
 */
function createStore(config: EnvConfig, _key: string, warn: (message: string) => void): TokenStore {
  if (config.redisUrl) {
    warn(
      `AUTH_REDIS_URL (${describeRedisUrl(config.redisUrl)}) is set, but on Node the fleet cache needs a Redis client passed as a store (see README); using the cache files only`,
    );
  }
  return new FileTokenStore(nodePlatform, { dir: config.cacheDir, onWarning: warn });
}

/** The runtime bound to Node. */
export const runtime = createAuthRuntime({
  platform: nodePlatform,
  env: () => process.env,
  createStore,
});

export const {
  createEnvConfig,
  loadClientKeyFromEnv,
  getAccessToken,
  getAccessTokenInfo,
  refreshAccessToken,
  clearCachedToken,
  requestApi,
  requestApiWithAutoRefresh,
  createAuthFetch,
  authFetch,
  createTokenManager,
  cacheKey,
  cacheFilePath,
  createFileTokenStore,
} = runtime;
