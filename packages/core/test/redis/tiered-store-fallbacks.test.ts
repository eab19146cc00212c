/**
 * The tiered store over tiers that lack a part (no lock, no notifications, no name), and the
 * order it asks them in (docs/locks.md, README.redis.md): the local lock first, the fleet lock
 * second; both tiers' notifications as one watch, the local lock's left out while the fleet
 * watches. The tiers here are stores kept in memory with their own locks and change signals,
 * the shape any custom store may have.
 */
import { describe, expect, test } from "bun:test";
import type { CachedToken } from "../../src/cache/cache-file.ts";
import { ChangeSignal } from "../../src/stores/store-watch.ts";
import type { ReleaseLock, WatchOptions } from "../../src/stores/token-store.ts";
import { MemoryTokenStore, TieredTokenStore } from "../fixtures/internal-api.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const KEY = "0123456789abcdef0123456789abcdef";
/** Longer than bun's 5 s test timeout: a wait that is not ended early fails the test. */
const FOREVER_MS = 60_000;

/** A store with a lock: `held` while taken; records the order of takes and releases. */
class LockingStore extends MemoryTokenStore {
  held = false;
  constructor(
    readonly name: string,
    readonly log: string[],
  ) {
    super();
  }
  async tryLock(_key: string): Promise<ReleaseLock | undefined> {
    this.log.push(`lock ${this.name}${this.held ? " (held)" : ""}`);
    if (this.held) return undefined;
    this.held = true;
    return async () => {
      this.log.push(`release ${this.name}`);
      this.held = false;
    };
  }
}

/** A store whose watch is a change signal the test drives; records the options it was given. */
class WatchedStore extends MemoryTokenStore {
  readonly signals: ChangeSignal[] = [];
  readonly options: (WatchOptions | undefined)[] = [];
  async watch(_key: string, options?: WatchOptions) {
    this.options.push(options);
    const signal = new ChangeSignal();
    this.signals.push(signal);
    return signal;
  }
}

/** Resolves "woken" when `wait` ends before `ms`, else "timed out". */
async function outcome(wait: Promise<void>, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(resolve, ms, "timed out");
  });
  const result = await Promise.race([wait.then(() => "woken"), late]);
  clearTimeout(timer);
  return result;
}

describe("TieredTokenStore over tiers with and without a part", () => {
  test("tiers without a name are called store", () => {
    const plain = { get: async () => undefined, set: async () => {}, delete: async () => {} };
    expect(new TieredTokenStore(plain, plain).describe(KEY)).toBe("store, then store");
    expect(new TieredTokenStore(plain, new MemoryTokenStore()).describe(KEY)).toBe(
      `store, then memory:${KEY}`,
    );
  });

  test("a token of the same expiry in both tiers is served from the local one", async () => {
    const shared = new MemoryTokenStore();
    const local = new MemoryTokenStore();
    const token: CachedToken = tokenExpiringIn("same", 600);
    await shared.set(KEY, token);
    await local.set(KEY, { ...token });
    const tiered = new TieredTokenStore(shared, local);
    const got = await tiered.get(KEY);
    expect(got).toEqual(token);
    expect(tiered.tierOf(got as CachedToken)).toBe("cache");
  });

  test("the local lock is taken first, then the fleet's; both are released, the fleet's first", async () => {
    const log: string[] = [];
    const tiered = new TieredTokenStore(
      new LockingStore("fleet", log),
      new LockingStore("local", log),
    );
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    await release?.();
    expect(log).toEqual(["lock local", "lock fleet", "release fleet", "release local"]);
  });

  test("a local tier without a lock: the fleet lock alone, and a fleet lock held elsewhere is refused", async () => {
    const log: string[] = [];
    const fleet = new LockingStore("fleet", log);
    const tiered = new TieredTokenStore(fleet, new MemoryTokenStore());
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    expect(fleet.held).toBe(true);
    expect(await tiered.tryLock(KEY)).toBeUndefined();
    await release?.();
    expect(fleet.held).toBe(false);
    expect(log).toEqual(["lock fleet", "lock fleet (held)", "release fleet"]);
  });

  test("a fleet tier without a lock: the local lock alone keeps this machine single-flight", async () => {
    const log: string[] = [];
    const local = new LockingStore("local", log);
    const tiered = new TieredTokenStore(new MemoryTokenStore(), local);
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    expect(await tiered.tryLock(KEY)).toBeUndefined();
    await release?.();
    expect(local.held).toBe(false);
  });

  test("neither tier watches: no watch, and waiters poll", async () => {
    const tiered = new TieredTokenStore(new MemoryTokenStore(), new MemoryTokenStore());
    expect(await tiered.watch(KEY)).toBeUndefined();
  });

  test("only the local tier watches: its watch, with the lock's changes included", async () => {
    const local = new WatchedStore();
    const watch = await new TieredTokenStore(new MemoryTokenStore(), local).watch(KEY);
    expect(local.options).toEqual([{ tokenOnly: false }]);
    const waiting = watch?.wait(FOREVER_MS) ?? Promise.reject(new Error("no watch"));
    local.signals[0]?.notify();
    expect(await outcome(waiting, 4_000)).toBe("woken");
  });

  test("only the fleet tier watches: its watch", async () => {
    const shared = new WatchedStore();
    const watch = await new TieredTokenStore(shared, new MemoryTokenStore()).watch(KEY);
    const waiting = watch?.wait(FOREVER_MS) ?? Promise.reject(new Error("no watch"));
    shared.signals[0]?.notify();
    expect(await outcome(waiting, 4_000)).toBe("woken");
  });

  test("both watch: the local tier watches its token only, and a change of either tier ends a wait", async () => {
    const shared = new WatchedStore();
    const local = new WatchedStore();
    const watch = await new TieredTokenStore(shared, local).watch(KEY);
    expect(local.options).toEqual([{ tokenOnly: true }]);
    if (!watch) throw new Error("no watch");
    const first = watch.wait(FOREVER_MS);
    local.signals[0]?.notify();
    expect(await outcome(first, 4_000)).toBe("woken");
    const second = watch.wait(FOREVER_MS);
    shared.signals[0]?.notify();
    expect(await outcome(second, 4_000)).toBe("woken");
    watch.close();
  });
});
