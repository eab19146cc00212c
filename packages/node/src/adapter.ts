/**
 * @openclaw/auth-runtime-node/adapter: core's `./adapter` entry (stores, the token manager, the
 * runtime factory) on Node, with Node's platform for stores of your own.
 *
 * @example
 * import { createTokenManager } from "@openclaw/auth-runtime-node";
 * import { RedisTokenStore, TieredTokenStore, FileTokenStore, nodePlatform } from "@openclaw/auth-runtime-node/adapter";
 * const files = new FileTokenStore(nodePlatform, { dir: config.cacheDir });
 * const store = new TieredTokenStore(new RedisTokenStore(redisLike), files);
 * const tokenManager = createTokenManager({ config, store });
 */
export * from "@openclaw/auth-runtime/adapter";
export { nodePlatform } from "./node-platform.ts";
