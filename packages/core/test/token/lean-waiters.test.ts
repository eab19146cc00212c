/**
 * What a process pays while it waits for another's token request (docs/locks.md): its polls of
 * a held lock write nothing, and a wait that ends after the holder wrote and released ends on
 * the token, without a turn at the lock.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { watch } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  type AuthEvent,
  cacheKey,
  createFileTokenStore,
  createTokenManager,
} from "../fixtures/internal-api.ts";
import { count, scriptedStore } from "../fixtures/scripted-store.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const CLIENT_KEY = "ck-lean-waiters-CANARY-41d7c2";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-lean-waiters-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("polling a lock another process holds", () => {
  test("writes nothing to the cache dir, so no poll wakes the other waiters' watches", async () => {
    const dir = join(root, "cache");
    await mkdir(dir, { mode: 0o700 });
    // Held by a live owner on this host (this process: never stale for its own store).
    const owner = JSON.stringify({ pid: process.pid, host: hostname(), createdAt: Date.now() });
    await writeFile(join(dir, `token_${KEY}.lock`), owner, { mode: 0o600 });
    const changes: string[] = [];
    const watcher = watch(dir, (_event, name) => changes.push(String(name)));
    try {
      const store = createFileTokenStore(dir, () => {});
      for (let poll = 0; poll < 5; poll++) expect(await store.tryLock(KEY)).toBeUndefined();
      // Change notifications arrive on the event loop: give them the time to.
      await Bun.sleep(100);
    } finally {
      watcher.close();
    }
    expect(changes).toEqual([]);
    expect(await readdir(dir)).toEqual([`token_${KEY}.lock`]);
  });
});

describe("a wait that polls (no watch)", () => {
  let gateway: DevGateway;
  beforeEach(() => {
    gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  });
  afterEach(() => gateway.stop());

  test("ending after the holder wrote its token and released the lock serves that token without taking the lock", async () => {
    const config = testConfig(gateway.url, CLIENT_KEY);
    let held = true;
    let taken = 0;
    const { store, inner, log } = scriptedStore({
      tryLock: async () => {
        if (held) return undefined;
        taken++;
        return async () => {};
      },
    });
    const events: AuthEvent[] = [];
    const manager = createTokenManager({
      config,
      store,
      lockWait: { initialPollMs: 200, maxPollMs: 200, giveUpMs: 10_000, notify: false },
    });
    const waiting = manager.getToken({ onEvent: (event) => events.push(event) });
    // During the first pause (100 to 300 ms): the holder writes, then releases.
    await Bun.sleep(50);
    await inner.set(cacheKey(config), tokenExpiringIn("tok-from-the-holder", 900));
    held = false;
    expect(await waiting).toMatchObject({ accessToken: "tok-from-the-holder", source: "cache" });
    expect(taken).toBe(0);
    expect(count(log, "tryLock")).toBe(1);
    expect(events.filter((e) => e.type === "lock.waited").map((e) => e.outcome)).toEqual(["token"]);
    expect(gateway.stats().requests["/auth/session"] ?? 0).toBe(0);
  });
});
