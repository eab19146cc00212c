/**
 * The discovery store of the file cache: `{cacheDir}/discovery_<hash>.json` beside the tokens,
 * under the cache-file rules (a private dir, 0600, written atomically, read bounded and only
 * when it is a regular file of ours; a file that is none of that, or unreadable, is a miss).
 */
import {
  cacheKeyFromDigest,
  discoveryFileName,
  MAX_CACHE_FILE_BYTES,
} from "../cache/cache-file.ts";
import type { Platform } from "../platform/platform.ts";
import type { DiscoveryStore } from "./grant.ts";

/** What the store needs of the cache dir: its path and the token store's judgement of it. */
export interface DiscoveryDir {
  readonly dir: string;
  /** Why the dir must not be used, or undefined (FileTokenStore.checkDir). */
  checkDir(options: { create: boolean }): Promise<string | undefined>;
}

/**
 * `<hash>` is the first 32 hex characters of SHA-256 over the issuer URL as configured.
 * @example
 * const store = fileDiscoveryStore(platform, new FileTokenStore(platform, { dir }));
 */
export function fileDiscoveryStore(platform: Platform, cache: DiscoveryDir): DiscoveryStore {
  const pathOf = (issuer: string) =>
    `${cache.dir}/${discoveryFileName(cacheKeyFromDigest(platform.sha256Hex(issuer)))}`;
  return {
    id: cache.dir,
    async get(issuer) {
      if (await cache.checkDir({ create: false })) return undefined;
      const read = await platform.readPrivateFile(pathOf(issuer), MAX_CACHE_FILE_BYTES);
      return read.status === "ok" ? read.text : undefined;
    },
    async set(issuer, text) {
      if (await cache.checkDir({ create: true })) return;
      await platform.writeFileAtomic(pathOf(issuer), text);
    },
  };
}
