/**
 * What the tests reach: the user API, the `./adapter` and `./cache` entries, and the runtime's
 * extras, from one module (tests may see internals; product code uses the entries).
 */
import { runtime } from "../src/api.ts";

export * from "../src/adapter.ts";
export { bunPlatform } from "../src/adapters/bun.ts";
export * from "../src/cache.ts";
export * from "../src/index.ts";
export { TokenManager } from "../src/token-manager.ts";

export const { cacheKey, createFileTokenStore } = runtime;
