/**
 * The runtime's binding on Node: Node's platform, the process environment, and the cache files.
 * The package's entry (src/index.ts) makes the user API with it.
 */

import {
  describeRedisUrl,
  FileTokenStore,
  type RuntimeBinding,
  type TokenStore,
} from "@openclaw/auth-runtime/adapter";
import type { EnvConfig } from "@openclaw/auth-runtime/user-api";
import { nodePlatform } from "./node-platform.ts";

/**
 * The cache files. Node has no built-in Redis client and this package forces none on you: with
 * `AUTH_REDIS_URL` set, pass a `TieredTokenStore` over your client to `createTokenManager`
 * (see the README); until then the files are used and you are told once.
 */
function createStore(config: EnvConfig, warn: (message: string) => void): TokenStore {
  if (config.redisUrl) {
    warn(
      `AUTH_REDIS_URL (${describeRedisUrl(config.redisUrl)}) is set, but on Node the fleet cache needs a Redis client passed as a store (see README); using the cache files only`,
    );
  }
  return new FileTokenStore(nodePlatform, { dir: config.cacheDir, onWarning: warn });
}

export const binding: RuntimeBinding = {
  platform: nodePlatform,
  env: () => process.env,
  createStore,
};
