/**
 * RedisTokenStore.watch (docs/locks.md, "Notifications" and "Fallback"): a waiter's subscription
 * to the key's channel wakes it on a write or a release; without one (a client that cannot
 * subscribe, Redis cooling down after a failure, a confirmation that comes too late) the waiter
 * polls, and no subscriber connection is left behind.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import { type RedisLike, RedisTokenStore } from "../fixtures/internal-api.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

setDefaultTimeout(30_000);

const KEY = "0123456789abcdef0123456789abcdef";
const CHANNEL = `openclaw:auth:notify:${KEY}`;
/** Longer than bun's 5 s test timeout: a wait that is not ended early fails the test. */
const FOREVER_MS = 60_000;

afterEach(stopAllRedis);

const numsub = async (redis: TestRedis) =>
  ((await redis.client.send("PUBSUB", ["NUMSUB", CHANNEL])) as [string, number])[1];

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await Bun.sleep(20);
  }
}

describe("a watch that cannot be had: the waiter polls", () => {
  test("a client without subscribe", async () => {
    const client: RedisLike = { send: async () => null };
    expect(await new RedisTokenStore(client).watch(KEY)).toBeUndefined();
  });

  test("a failed call drops the connection; Redis cooling down after it: no subscription is even tried", async () => {
    let subscribes = 0;
    let resets = 0;
    const client: RedisLike = {
      reset: () => resets++,
      send: async () => {
        throw new Error("Connection closed");
      },
      subscribe: async () => {
        subscribes++;
        return () => {};
      },
    };
    const s = new RedisTokenStore(client, { onWarning: () => {} });
    await expect(s.get(KEY)).rejects.toThrow(/Connection closed/);
    // The failed call dropped the client's connection.
    expect(resets).toBe(1);
    expect(await s.watch(KEY)).toBeUndefined();
    expect(subscribes).toBe(0);
  });

  test("a client that ignores the abandon signal and confirms too late: its subscription is closed then", async () => {
    let closed = 0;
    let confirm: (() => void) | undefined;
    const client: RedisLike = {
      send: async () => null,
      subscribe: () =>
        new Promise((resolve) => {
          confirm = () => resolve(() => closed++);
        }),
    };
    const s = new RedisTokenStore(client, { commandTimeoutMs: 50, onWarning: () => {} });
    expect(await s.watch(KEY)).toBeUndefined();
    expect(closed).toBe(0);
    confirm?.();
    await Bun.sleep(10);
    expect(closed).toBe(1);
  });
});

describe.skipIf(!REDIS_SERVER)("a watch on a real redis-server", () => {
  test("a message on the key's channel ends a wait; closing the watch ends the subscription", async () => {
    const redis = await startRedis();
    const s = new RedisTokenStore(bunRedisClient(redis.url), { commandTimeoutMs: 5_000 });
    const watch = await s.watch(KEY);
    if (!watch) throw new Error("no watch");
    expect(await numsub(redis)).toBe(1);
    const waiting = watch.wait(FOREVER_MS);
    await redis.client.send("PUBLISH", [CHANNEL, "token"]);
    await waiting;
    watch.close();
    await eventually(async () => (await numsub(redis)) === 0, "the subscription ended");
  });
});
