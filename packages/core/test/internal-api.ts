/**
 * What the tests reach: the user API, the `./adapter`, `./cache` and `./config` entries, and the runtime's
 * extras, from one module (tests may see internals; product code uses the entries).
 */
import { binding } from "../src/bun/bun-binding.ts";
import { createAuthRuntime } from "../src/runtime/runtime.ts";

export * from "../src/adapter.ts";
export { bunPlatform } from "../src/bun/bun-platform.ts";
export * from "../src/cache.ts";
export * from "../src/config.ts";
export * from "../src/index.ts";
export { TokenManager } from "../src/token/token-manager.ts";

// Pure over Bun's platform: a runtime of their own computes what the entry's would.
export const { cacheKey, createFileTokenStore } = createAuthRuntime(binding);
