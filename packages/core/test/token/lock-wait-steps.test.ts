/**
 * The lock wait step by step (docs/locks.md): a store the test scripts decides what each try at
 * the lock, each read and each wake finds, so that an order of events another process would give
 * by chance happens every time.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  type AuthEvent,
  cacheKey,
  createTokenManager,
  type EnvConfig,
} from "../fixtures/internal-api.ts";
import { count, scriptedStore } from "../fixtures/scripted-store.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const CLIENT_KEY = "ck-lock-steps-CANARY-8b31f0";
/** Pauses long enough that the watch opens before the first one (from 100 ms) and no poll ends a test. */
const LONG_PAUSES = { initialPollMs: 10_000, maxPollMs: 10_000, giveUpMs: 60_000 };

let gateway: DevGateway;
let config: EnvConfig;

beforeEach(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  config = testConfig(gateway.url, CLIENT_KEY);
});
afterEach(() => gateway.stop());

const tokenRequests = () => gateway.stats().requests["/auth/session"] ?? 0;

function listen() {
  const events: AuthEvent[] = [];
  return { events, onEvent: (event: AuthEvent) => events.push(event) };
}

const waited = (events: AuthEvent[]) =>
  events.filter((event) => event.type === "lock.waited").map((event) => event.outcome);

describe("no wait", () => {
  test("a fresh token in the store is served by one read, without touching the lock", async () => {
    const { store, inner, log } = scriptedStore({});
    await inner.set(cacheKey(config), tokenExpiringIn("tok-stored", 900));
    const manager = createTokenManager({ config, store, lockWait: LONG_PAUSES });
    expect(await manager.getToken()).toMatchObject({ accessToken: "tok-stored", source: "cache" });
    expect(log).toEqual(["get"]);
  });
});

describe("a wait that the token ends", () => {
  test("a token written between the first read and the first try at the lock ends the wait there: lock.waited says token", async () => {
    // The first read (before the lock) misses; the second (after the lock was found held) finds it.
    const { store, log } = scriptedStore({
      read: (n) => (n >= 2 ? tokenExpiringIn("tok-just-written", 900) : undefined),
    });
    const { events, onEvent } = listen();
    const manager = createTokenManager({ config, store, lockWait: LONG_PAUSES });
    const info = await manager.getToken({ onEvent });
    expect(info).toMatchObject({ accessToken: "tok-just-written", source: "cache" });
    expect(log).toEqual(["get", "tryLock", "get"]);
    expect(waited(events)).toEqual(["token"]);
    expect(tokenRequests()).toBe(0);
  });

  test("a token written while the watch opens is read at once, not after a wake", async () => {
    const { store, inner, log } = scriptedStore({
      // The holder writes after our last read and before the watch is open: no wake will come.
      onWatchOpening: () =>
        inner.set(cacheKey(config), tokenExpiringIn("tok-written-meanwhile", 900)),
      // A wait that ends at once: were one made, the log would show it.
      wait: async () => {},
    });
    const manager = createTokenManager({ config, store, lockWait: LONG_PAUSES });
    const info = await manager.getToken();
    expect(info.accessToken).toBe("tok-written-meanwhile");
    expect(log).toEqual(["get", "tryLock", "get", "watch", "tryLock", "get", "close"]);
  });

  test("a holder that wrote and released before the waiter wakes: the waiter serves its token and never takes the lock", async () => {
    let held = true;
    let taken = 0;
    const { store, inner, log } = scriptedStore({
      tryLock: async () => {
        if (held) return undefined;
        taken++;
        return async () => {};
      },
      // The wake comes after the holder wrote the token and released the lock.
      wait: async () => {
        await inner.set(cacheKey(config), tokenExpiringIn("tok-from-the-holder", 900));
        held = false;
      },
    });
    const { events, onEvent } = listen();
    const manager = createTokenManager({ config, store, lockWait: LONG_PAUSES });
    const info = await manager.getToken({ onEvent });
    expect(info).toMatchObject({ accessToken: "tok-from-the-holder", source: "cache" });
    expect(taken).toBe(0);
    expect(waited(events)).toEqual(["token"]);
    expect(count(log, "tryLock")).toBe(2);
    expect(tokenRequests()).toBe(0);
  });
});

describe("a lock that cannot be taken", () => {
  test("a try at the lock that throws is one warning naming the error, and the token request goes ahead at once", async () => {
    const warnings: string[] = [];
    const { store, log } = scriptedStore({
      tryLock: () => Promise.reject(new Error("lock dir on a read-only disk")),
    });
    const manager = createTokenManager({
      config,
      store,
      // Were the failure taken for a held lock, the wait would end only here, with another warning.
      lockWait: { initialPollMs: 20, maxPollMs: 20, giveUpMs: 1_000 },
      onWarning: (message) => warnings.push(message),
    });
    const info = await manager.getToken();
    expect(info.source).toBe("network");
    expect(tokenRequests()).toBe(1);
    expect(warnings).toEqual([
      "token lock unavailable (lock dir on a read-only disk); going on without it",
    ]);
    expect(log).toEqual(["get", "tryLock", "get", "set"]);
  });
});

describe("the default lock wait", () => {
  test("polls from 20 ms and opens the store's watch once its pauses reach 100 ms", async () => {
    const { store, inner, log } = scriptedStore({});
    const manager = createTokenManager({ config, store });
    const waiting = manager.getToken();
    // Pauses of about 20, 30, 45, 68, 101 ms (each x0.5 to x1.5): the watch opens ~160 ms in.
    await Bun.sleep(1_000);
    await inner.set(cacheKey(config), tokenExpiringIn("tok-after-a-second", 900));
    expect((await waiting).accessToken).toBe("tok-after-a-second");
    const tries = count(log, "tryLock");
    // At least the five short pauses, and then pauses of up to 200 ms: well under 30 tries a second.
    expect(tries).toBeGreaterThanOrEqual(6);
    expect(tries).toBeLessThan(30);
    expect(count(log, "watch")).toBe(1);
    expect(log.indexOf("watch")).toBeGreaterThan(log.indexOf("tryLock") + 4 * 2);
    expect(tokenRequests()).toBe(0);
  });
});
