/**
 * `@openclaw/auth-runtime/cache`: the cache-file contract shared with the Python port: the
 * files' names and hash input, what a file holds, its size limit, and when a cached token may be
 * served. It imports nothing, so it works on every runtime, a browser's included.
 *
 * @example
 * import { cacheFileName, cacheKeyFromDigest, cacheKeyText } from "@openclaw/auth-runtime/cache";
 * const digest = new Bun.CryptoHasher("sha256").update(cacheKeyText(base, key)).digest("hex");
 * console.log(cacheFileName(cacheKeyFromDigest(digest))); // token_9f….json
 */

export {
  ACCESS_TOKEN_PATTERN,
  type CachedToken,
  type CacheFile,
  cacheFileName,
  cacheKeyFromDigest,
  cacheKeyText,
  clientCredentialsKeyText,
  discoveryFileName,
  isServable,
  isValidAccessToken,
  lockFileName,
  MAX_CACHE_FILE_BYTES,
  outlivesMaxTtl,
  parseCacheFile,
  REFRESH_JITTER,
  refreshMarginSec,
  toCacheFile,
} from "./cache/cache-file.ts";
