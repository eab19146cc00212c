/**
 * What the tests reach: the user API, the `./adapter` and `./cache` entries, and the runtime's
 * extras, from one module (tests may see internals; product code uses the entries).
 */
import { runtime } from "../src/runtime/api.ts";

export * from "../src/adapter.ts";
export { bunPlatform } from "../src/bun/bun-platform.ts";
export * from "../src/cache.ts";
export * from "../src/index.ts";
export { TokenManager } from "../src/token/token-manager.ts";

export const { cacheKey, createFileTokenStore } = runtime;
