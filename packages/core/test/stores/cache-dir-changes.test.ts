/**
 * Which changes of the cache dir wake a lock waiter (`FileTokenStore.watch`): the key's token
 * file, its lock file unless only the token is watched, a change the platform cannot name; never
 * another key's files. The platform's watch is Bun's own, replaced by one the test drives, so a
 * change is told at once and "no wake" needs no waiting.
 */
import { expect, test } from "bun:test";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { cacheFileName, lockFileName } from "../../src/cache/cache-file.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";
import type { StoreWatch } from "../../src/stores/store-watch.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210";

/** A store whose platform's dir watch is driven by `change(name)`. */
function watched() {
  const listeners: ((name: string | undefined) => void)[] = [];
  let stopped = 0;
  const store = new FileTokenStore(
    {
      ...bunPlatform,
      watchDirectory: (_path, onChange) => {
        listeners.push(onChange);
        return () => {
          stopped++;
        };
      },
    },
    { dir: "/nonexistent/openclaw-cache", onWarning: () => {} },
  );
  return {
    store,
    change: (name: string | undefined) => {
      for (const listener of listeners) listener(name);
    },
    stopped: () => stopped,
  };
}

/** True when a change was told since the last wake: a wait then ends at once. */
async function woken(watch: StoreWatch): Promise<boolean> {
  const stop = new AbortController();
  let ended = false;
  const waiting = watch.wait(60_000, stop.signal).then(() => {
    ended = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  const result = ended;
  stop.abort();
  await waiting;
  return result;
}

test("a change of the key's token file wakes a waiter; one of another key's files does not", async () => {
  const { store, change } = watched();
  const watch = await store.watch(KEY);
  if (!watch) throw new Error("no watch");
  change(cacheFileName(OTHER_KEY));
  change(lockFileName(OTHER_KEY));
  change(`${cacheFileName(KEY)}.${process.pid}.1.ab.tmp`);
  expect(await woken(watch)).toBe(false);
  change(cacheFileName(KEY));
  expect(await woken(watch)).toBe(true);
  watch.close();
});

test("a change of the key's lock file wakes a waiter, unless only the token is watched", async () => {
  const all = watched();
  const watch = await all.store.watch(KEY);
  if (!watch) throw new Error("no watch");
  all.change(lockFileName(KEY));
  expect(await woken(watch)).toBe(true);

  const tokenOnly = watched();
  const tokenWatch = await tokenOnly.store.watch(KEY, { tokenOnly: true });
  if (!tokenWatch) throw new Error("no watch");
  tokenOnly.change(lockFileName(KEY));
  expect(await woken(tokenWatch)).toBe(false);
  tokenOnly.change(cacheFileName(KEY));
  expect(await woken(tokenWatch)).toBe(true);
  watch.close();
  tokenWatch.close();
});

test("a change the platform cannot name wakes a waiter (it may be the token)", async () => {
  const { store, change } = watched();
  const watch = await store.watch(KEY);
  if (!watch) throw new Error("no watch");
  change(undefined);
  expect(await woken(watch)).toBe(true);
  watch.close();
});

test("closing the watch stops the platform's watch once", async () => {
  const { store, stopped } = watched();
  const watch = await store.watch(KEY);
  watch?.close();
  watch?.close();
  expect(stopped()).toBe(1);
});

test("a platform that cannot watch a directory gives no watch: the waiter polls", async () => {
  const { watchDirectory: _none, ...cannotWatch } = bunPlatform;
  const store = new FileTokenStore(cannotWatch, {
    dir: "/nonexistent/openclaw-cache",
    onWarning: () => {},
  });
  expect(await store.watch(KEY)).toBeUndefined();
});
