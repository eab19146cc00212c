/**
 * The lock wait's notifications in one process (docs/locks.md, "Notifications"): a manager waits
 * on a cache dir whose lock the test holds, as another process would. The cross-process tests
 * prove the same with real processes; these run where a mutant of the manager can be seen.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  type AuthEvent,
  cacheKey,
  createEnvConfig,
  createFileTokenStore,
  createTokenManager,
  type EnvConfig,
  type TokenInfo,
} from "../fixtures/internal-api.ts";
import { count, scriptedStore } from "../fixtures/scripted-store.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const CLIENT_KEY = "ck-notify-CANARY-2d9e41";
/** A poll this long ends its first pause after 5 s at the earliest (jitter: x0.5 to x1.5). */
const TEN_SECOND_POLL = { initialPollMs: 10_000, maxPollMs: 10_000, giveUpMs: 60_000 };
/** Well under the 5 s a poll could deliver in, well over what a notification takes. */
const WOKEN_WITHIN_MS = 3_000;

let gateway: DevGateway;
let root: string;
let config: EnvConfig;

beforeEach(async () => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  root = await mkdtemp(join(tmpdir(), "openclaw-notify-"));
  config = createEnvConfig(
    { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: root },
    { envFile: false },
  );
});
afterEach(async () => {
  await gateway.stop();
  await rm(root, { recursive: true, force: true });
});

const tokenRequests = () => gateway.stats().requests["/auth/session"] ?? 0;

/** `call`'s token, or a failure once `ms` have passed (the call is then aborted). */
async function within(
  ms: number,
  call: (signal: AbortSignal) => Promise<TokenInfo>,
): Promise<{ info: TokenInfo; ms: number }> {
  const controller = new AbortController();
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no token within ${ms} ms`)), ms);
  });
  try {
    const info = await Promise.race([call(controller.signal), late]);
    return { info, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe("a manager waiting for another's token request, with a 10 s poll", () => {
  test("wakes when the lock holder writes the token, long before its first poll", async () => {
    const holder = createFileTokenStore(root);
    const key = cacheKey(config);
    const release = await holder.tryLock(key);
    expect(release).toBeInstanceOf(Function);
    const events: AuthEvent[] = [];
    const waiter = createTokenManager({ config, lockWait: TEN_SECOND_POLL });
    const waiting = within(WOKEN_WITHIN_MS, (signal) =>
      waiter.getToken({ signal, onEvent: (event) => events.push(event) }),
    );
    await Bun.sleep(300);
    await holder.set(key, tokenExpiringIn("tok-from-the-holder", 900));
    const { info } = await waiting;
    await release?.();
    expect(info.accessToken).toBe("tok-from-the-holder");
    expect(info.source).toBe("cache");
    const waited = events.find((event) => event.type === "lock.waited");
    expect(waited).toMatchObject({ outcome: "token" });
    // The wait's own length: about the 300 ms before the write.
    expect((waited as { ms: number }).ms).toBeGreaterThanOrEqual(200);
    expect((waited as { ms: number }).ms).toBeLessThan(WOKEN_WITHIN_MS);
    expect(tokenRequests()).toBe(0);
  }, 20_000);

  test("wakes when the holder releases without writing, takes the lock and makes the one request", async () => {
    const holder = createFileTokenStore(root);
    const key = cacheKey(config);
    const release = await holder.tryLock(key);
    const events: AuthEvent[] = [];
    const waiter = createTokenManager({ config, lockWait: TEN_SECOND_POLL });
    const waiting = within(WOKEN_WITHIN_MS, (signal) =>
      waiter.getToken({ signal, onEvent: (event) => events.push(event) }),
    );
    await Bun.sleep(300);
    expect(tokenRequests()).toBe(0);
    await release?.();
    const { info } = await waiting;
    expect(info.source).toBe("network");
    expect(tokenRequests()).toBe(1);
    expect(events.find((event) => event.type === "lock.waited")).toMatchObject({
      outcome: "acquired",
    });
    // The token it fetched is in the file for the next process.
    expect((await holder.get(key))?.accessToken).toBe(info.accessToken);
  }, 20_000);
});

describe("with notifications switched off (lockWait.notify: false)", () => {
  test("the poll delivers the token, and nothing earlier than the end of the first pause", async () => {
    const holder = createFileTokenStore(root);
    const key = cacheKey(config);
    const release = await holder.tryLock(key);
    // First pause: 1 to 3 s (x0.5 to x1.5 of 2 s); the token is written after 200 ms.
    const waiter = createTokenManager({
      config,
      lockWait: { initialPollMs: 2_000, maxPollMs: 2_000, giveUpMs: 60_000, notify: false },
    });
    const waiting = within(10_000, (signal) => waiter.getToken({ signal }));
    await Bun.sleep(200);
    await holder.set(key, tokenExpiringIn("tok-seen-at-the-poll", 900));
    const { info, ms } = await waiting;
    await release?.();
    expect(info.accessToken).toBe("tok-seen-at-the-poll");
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(tokenRequests()).toBe(0);
  }, 20_000);
});

describe("the manager's watch over one wait", () => {
  test("is opened once however many polls the wait takes, and closed when it ends", async () => {
    // The lock is held by someone else, and the watch never fires: the waits end at the poll.
    const { store, inner, log } = scriptedStore();
    const waiter = createTokenManager({
      config,
      store,
      lockWait: { initialPollMs: 100, maxPollMs: 100, giveUpMs: 60_000 },
    });
    const waiting = waiter.getToken();
    await Bun.sleep(600);
    await inner.set(cacheKey(config), tokenExpiringIn("tok-after-many-polls", 900));
    expect((await waiting).accessToken).toBe("tok-after-many-polls");
    expect({ watches: count(log, "watch"), closed: count(log, "close") }).toEqual({
      watches: 1,
      closed: 1,
    });
  });

  test("is not opened for a wait of short pauses (the default policy's first ones)", async () => {
    const { store, inner, log } = scriptedStore();
    const waiter = createTokenManager({ config, store });
    const waiting = waiter.getToken();
    // Written before the first pause (10 to 30 ms) ends: one timer list, so it comes first.
    await Bun.sleep(5);
    await inner.set(cacheKey(config), tokenExpiringIn("tok-at-the-first-poll", 900));
    expect((await waiting).accessToken).toBe("tok-at-the-first-poll");
    expect(count(log, "watch")).toBe(0);
  });

  test("a store whose watch fails is polled: the token still comes", async () => {
    const { store, inner, log } = scriptedStore({
      onWatchOpening: () => Promise.reject(new Error("no inotify")),
    });
    const waiter = createTokenManager({
      config,
      store,
      lockWait: { initialPollMs: 100, maxPollMs: 100, giveUpMs: 60_000 },
    });
    const waiting = waiter.getToken();
    await Bun.sleep(300);
    await inner.set(cacheKey(config), tokenExpiringIn("tok-by-the-poll", 900));
    expect((await waiting).accessToken).toBe("tok-by-the-poll");
    expect(count(log, "watch")).toBe(1);
  });
});
