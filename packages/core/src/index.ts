/**
 * @openclaw/auth-runtime on Bun: trade a CLIENT_KEY for a gateway token, keep it cached and
 * fresh, and call the gateway with it.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
import { bunPlatform } from "./adapters/bun.ts";
import { bunRedisClient } from "./adapters/bun-redis.ts";
import type { EnvConfig } from "./config.ts";
import { FileTokenStore } from "./file-token-store.ts";
import { describeRedisUrl, RedisTokenStore } from "./redis-token-store.ts";
import { createAuthRuntime } from "./runtime.ts";
import { TieredTokenStore } from "./tiered-token-store.ts";
import type { TokenStore } from "./token-store.ts";

export * from "./public.ts";
export { bunPlatform };

/** The cache files; with `AUTH_REDIS_URL`, the fleet cache in Redis in front of them. */
function createStore(config: EnvConfig, _key: string, warn: (message: string) => void): TokenStore {
  const files = new FileTokenStore(bunPlatform, { dir: config.cacheDir, onWarning: warn });
  if (!config.redisUrl) return files;
  const redis = new RedisTokenStore(bunRedisClient(config.redisUrl), {
    label: describeRedisUrl(config.redisUrl),
    onWarning: warn,
  });
  return new TieredTokenStore(redis, files);
}

/** The runtime bound to Bun. */
export const runtime = createAuthRuntime({
  platform: bunPlatform,
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
