/**
 * What the tests reach: the user API, the `./adapter`, `./cache` and `./config` entries, and the runtime's
 * extras, from one module (tests may see internals; product code uses the entries).
 */
import { runtime } from "../src/runtime/api.ts";

export * from "../src/adapter.ts";
export { bunPlatform } from "../src/bun/bun-platform.ts";
export * from "../src/cache.ts";
export * from "../src/config.ts";
export * from "../src/index.ts";

export const { cacheKey, createFileTokenStore } = runtime;
