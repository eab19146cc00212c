/**
 * The runtime's binding on Bun: Bun's platform, the process environment, and the cache files
 * with Bun's built-in Redis client in front of them when `AUTH_REDIS_URL` is set. The package's
 * entry (src/index.ts) makes the user API with it; @openclaw/auth-runtime-node makes the same API
 * with its own.
 */
import type { EnvConfig } from "../config/config.ts";
import { lazy } from "../platform/lazy.ts";
import type { RuntimeBinding } from "../runtime/auth-runtime.ts";
import { FileTokenStore } from "../stores/file-token-store.ts";
import type { TokenStore } from "../stores/token-store.ts";
import { bunPlatform } from "./bun-platform.ts";

/**
 * The cache files; with `AUTH_REDIS_URL`, the fleet cache in Redis in front of them. The Redis
 * modules are loaded only then (synchronously: the store is made when the config is first
 * used), so a process without Redis does not parse them at start-up.
 */
const redisStores = lazy<typeof import("../stores/redis-token-store.ts")>(() =>
  require("../stores/redis-token-store.ts"),
);
const tieredStores = lazy<typeof import("../stores/tiered-token-store.ts")>(() =>
  require("../stores/tiered-token-store.ts"),
);
const bunRedis = lazy<typeof import("./bun-redis.ts")>(() => require("./bun-redis.ts"));

function createStore(config: EnvConfig, warn: (message: string) => void): TokenStore {
  const files = new FileTokenStore(bunPlatform, { dir: config.cacheDir, onWarning: warn });
  if (!config.redisUrl) return files;
  const { describeRedisUrl, RedisTokenStore } = redisStores();
  const { TieredTokenStore } = tieredStores();
  const { bunRedisClient } = bunRedis();
  const redis = new RedisTokenStore(bunRedisClient(config.redisUrl), {
    label: describeRedisUrl(config.redisUrl),
    onWarning: warn,
  });
  return new TieredTokenStore(redis, files);
}

export const binding: RuntimeBinding = {
  platform: bunPlatform,
  env: () => process.env,
  createStore,
};
