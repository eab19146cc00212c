/** The cache key shared with the Python port: it names the cache file, the lock and Redis keys. */
import { cacheKeyFromDigest, cacheKeyText } from "./cache.ts";
import type { Platform } from "./platform.ts";

/** First 32 hex characters of SHA-256 over UTF-8 `authBase + "\n" + clientKey`. */
export function cacheKeyFor(platform: Platform, authBase: string, clientKey: string): string {
  return cacheKeyFromDigest(platform.sha256Hex(cacheKeyText(authBase, clientKey)));
}
