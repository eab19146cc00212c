/**
 * Two stores as one: a shared tier (Redis, for the fleet) in front of a local tier (the cache
 * files, for this machine). The shared tier may fail at any time; the local tier keeps serving.
 */
import type { CachedToken } from "../cache/cache-file.ts";
import { anyWatch, type StoreWatch } from "./store-watch.ts";
import type { ReleaseLock, TokenStore } from "./token-store.ts";

/**
 * - `get` reads both and returns the later-expiring token; a shared token newer than the local
 *   one is copied down, so this machine still has it if the shared tier goes away.
 * - `set` and `delete` go to both.
 * - `tryLock` takes the local lock first, then the shared one, and holds both: processes on
 *   one machine (the Python port among them, and processes without the shared tier) keep
 *   coordinating through the lock file, only one of them at a time contends for the fleet
 *   lock, and single flight on the machine survives the shared tier going down mid-flight.
 *
 * - `watch` combines both tiers' notifications: the shared tier's (a write or a release anywhere
 *   in the fleet) and the local token file's. The local lock is left out while the shared tier
 *   watches: every waiter here takes and drops it in turn while the fleet lock is held
 *   elsewhere, and each of those would wake all the others for nothing.
 *
 * Errors of the shared tier never reach the caller: it reports its own outages (the Redis
 * store warns once per outage), and every call falls back to the local tier alone.
 *
 * @example
 * const store = new TieredTokenStore(
 *   new RedisTokenStore(redis, { onWarning }),
 *   createFileTokenStore(config.cacheDir),
 * );
 * const tokenManager = createTokenManager({ config, store });
 */
export class TieredTokenStore implements TokenStore {
  readonly shared: TokenStore;
  readonly local: TokenStore;
  /** Tokens `get` returned from the shared tier (for the `source` of `token.acquired`). */
  readonly #fromShared = new WeakSet<CachedToken>();

  constructor(shared: TokenStore, local: TokenStore) {
    this.shared = shared;
    this.local = local;
  }

  describe(key: string): string {
    const name = (store: TokenStore) => store.describe?.(key) ?? "store";
    return `${name(this.shared)}, then ${name(this.local)}`;
  }

  async get(key: string): Promise<CachedToken | undefined> {
    const [shared, local] = await Promise.all([
      this.shared.get(key).catch(() => undefined),
      this.local.get(key),
    ]);
    if (shared && (!local || shared.expiresAt > local.expiresAt)) {
      await this.local.set(key, shared).catch(() => {});
      this.#fromShared.add(shared);
      return shared;
    }
    return local ?? shared;
  }

  /**
   * Which tier served `token` (the `source` of `token.acquired`): `redis` when the shared tier's
   * was the newer, else `cache`.
   */
  tierOf(token: CachedToken): "cache" | "redis" {
    return this.#fromShared.has(token) ? "redis" : "cache";
  }

  async set(key: string, token: CachedToken): Promise<void> {
    await Promise.all([this.shared.set(key, token).catch(() => {}), this.local.set(key, token)]);
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.shared.delete(key).catch(() => {}), this.local.delete(key)]);
  }

  async watch(key: string): Promise<StoreWatch | undefined> {
    const shared = await this.shared.watch?.(key).catch(() => undefined);
    const local = await this.local
      .watch?.(key, { tokenOnly: shared !== undefined })
      .catch(() => undefined);
    const watches = [shared, local].filter((w): w is StoreWatch => w !== undefined);
    if (watches.length < 2) return watches[0];
    return anyWatch(watches);
  }

  async tryLock(key: string): Promise<ReleaseLock | undefined> {
    let local: ReleaseLock | undefined;
    if (this.local.tryLock) {
      local = await this.local.tryLock(key);
      if (!local) return undefined;
    }
    let shared: ReleaseLock | undefined;
    try {
      shared = await this.shared.tryLock?.(key);
      // Held elsewhere in the fleet: let another process here have a go meanwhile.
      if (this.shared.tryLock && !shared) {
        await local?.().catch(() => {});
        return undefined;
      }
    } catch {
      // The shared tier is down: the local lock alone keeps this machine single-flight.
    }
    return async () => {
      await shared?.().catch(() => {});
      await local?.();
    };
  }
}
