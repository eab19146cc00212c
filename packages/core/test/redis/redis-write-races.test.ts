/**
 * RedisTokenStore writes racing other writers of the fleet (docs/cache.md's rules for Redis
 * values): a write is a compare-and-set, so a token another machine stored between our read and
 * our write is judged again, never blindly overwritten; the fleet is told of each write and each
 * release on `openclaw:auth:notify:<hash>`, scripts or not. The other writers are real clients
 * of the same redis-server, acting at the moment the store is about to write.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import type { CachedToken } from "../../src/cache/cache-file.ts";
import { type RedisLike, RedisTokenStore } from "../fixtures/internal-api.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

setDefaultTimeout(30_000);

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN_KEY = `openclaw:auth:token:${KEY}`;
const LOCK_KEY = `openclaw:auth:lock:${KEY}`;
const CHANNEL = `openclaw:auth:notify:${KEY}`;
const NO_EVAL = ["--rename-command", "EVAL", ""];

const subscribers = new Set<RedisClient>();
afterEach(async () => {
  for (const subscriber of subscribers) subscriber.close();
  subscribers.clear();
  await stopAllRedis();
});

/** Whether a command of the store writes the token entry (the script, or SET without one). */
const writesToken = (command: string, args: string[]) =>
  (command === "EVAL" && args[0]?.includes("redis.call('SET'") === true) ||
  (command === "SET" && args[0] === TOKEN_KEY);

/**
 * The store's client, with `beforeWrite` run before each command that writes the token: another
 * writer acting between the store's read and its write.
 */
function racedClient(redis: TestRedis, beforeWrite: () => Promise<void>) {
  const inner = bunRedisClient(redis.url);
  const seen = { writes: 0 };
  const client: RedisLike = {
    async send(command, args) {
      if (writesToken(command, args)) {
        seen.writes++;
        await beforeWrite();
      }
      return inner.send(command, args);
    },
    reset: () => inner.reset?.(),
  };
  return { client, seen };
}

const store = (client: RedisLike) =>
  new RedisTokenStore(client, { commandTimeoutMs: 10_000, onWarning: () => {} });

const stored = (redis: TestRedis, token: CachedToken) =>
  redis.client.send("SET", [
    TOKEN_KEY,
    JSON.stringify({
      access_token: token.accessToken,
      expires_at: token.expiresAt,
      expires_in: token.expiresIn,
    }),
    "PX",
    String(token.expiresIn * 1000),
  ]);

/** Messages on the key's channel, as another machine's waiter would see them. */
async function listen(redis: TestRedis): Promise<string[]> {
  const subscriber = new RedisClient(redis.url);
  subscribers.add(subscriber);
  await subscriber.connect();
  const messages: string[] = [];
  await subscriber.subscribe(CHANNEL, (message) => messages.push(String(message)));
  return messages;
}

async function eventually(check: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await Bun.sleep(20);
  }
}

describe.skipIf(!REDIS_SERVER)("a write racing another machine's", () => {
  test("a later-expiring token stored between our read and our write is kept", async () => {
    const redis = await startRedis();
    let raced = false;
    const { client } = racedClient(redis, async () => {
      if (raced) return;
      raced = true;
      await stored(redis, tokenExpiringIn("theirs-later", 900));
    });
    await store(client).set(KEY, tokenExpiringIn("ours", 600));
    expect((await store(bunRedisClient(redis.url)).get(KEY))?.accessToken).toBe("theirs-later");
  });

  test("a sooner-expiring token stored between our read and our write is judged again and replaced", async () => {
    const redis = await startRedis();
    let raced = false;
    const { client, seen } = racedClient(redis, async () => {
      if (raced) return;
      raced = true;
      await stored(redis, tokenExpiringIn("theirs-sooner", 300));
    });
    await store(client).set(KEY, tokenExpiringIn("ours", 600));
    expect((await store(bunRedisClient(redis.url)).get(KEY))?.accessToken).toBe("ours");
    expect(seen.writes).toBe(2);
  });

  test("a co-tenant that changes the entry before every write: the write gives up after three tries", async () => {
    const redis = await startRedis();
    let n = 0;
    const { client, seen } = racedClient(redis, async () => {
      await redis.client.send("SET", [TOKEN_KEY, `junk-${n++}`]);
    });
    await store(client).set(KEY, tokenExpiringIn("ours", 600));
    expect(seen.writes).toBe(3);
    expect(await redis.client.get(TOKEN_KEY)).toBe("junk-2");
  });

  test("a script that fails on a co-tenant's hash does not switch the store to writes without scripts", async () => {
    const redis = await startRedis();
    let race = false;
    const { client } = racedClient(redis, async () => {
      if (!race) return;
      race = false;
      await stored(redis, tokenExpiringIn("theirs-later", 900));
    });
    const s = store(client);
    const release = await s.tryLock(KEY);
    await redis.client.send("DEL", [LOCK_KEY]);
    await redis.client.send("HSET", [LOCK_KEY, "owner", "co-tenant"]);
    // The release script reads the lock and meets a hash: WRONGTYPE, an answer about the key.
    await expect(release?.()).rejects.toThrow(/WRONGTYPE/);
    race = true;
    await s.set(KEY, tokenExpiringIn("ours", 600));
    expect((await store(bunRedisClient(redis.url)).get(KEY))?.accessToken).toBe("theirs-later");
  });

  test("a token of the same expiry as the stored one replaces it", async () => {
    const redis = await startRedis();
    const s = store(bunRedisClient(redis.url));
    const first = tokenExpiringIn("first", 600);
    await s.set(KEY, first);
    await s.set(KEY, { ...first, accessToken: "second" });
    expect((await s.get(KEY))?.accessToken).toBe("second");
  });

  test("a token expiring this very millisecond is not stored, and the set does not fail", async () => {
    const redis = await startRedis();
    const s = store(bunRedisClient(redis.url));
    for (let i = 0; i < 50; i++) {
      await s.set(KEY, { accessToken: "now", expiresAt: Date.now() / 1000, expiresIn: 0 });
    }
    expect(await redis.keys()).toEqual([]);
  });
});

for (const [server, args] of [
  ["", []],
  [" (a server that refuses EVAL)", NO_EVAL],
] as const) {
  describe.skipIf(!REDIS_SERVER)(`the fleet is told${server}`, () => {
    test("a set publishes `token` once on openclaw:auth:notify:<hash>; a release, `unlock`", async () => {
      const redis = await startRedis([...args]);
      const messages = await listen(redis);
      const s = store(bunRedisClient(redis.url));
      await s.set(KEY, tokenExpiringIn("ours", 600));
      const release = await s.tryLock(KEY);
      await release?.();
      await eventually(() => messages.length >= 2, "two messages");
      await Bun.sleep(100);
      expect(messages).toEqual(["token", "unlock"]);
      expect(s.tierOf(tokenExpiringIn("x", 1))).toBe("redis");
    });
  });
}

describe.skipIf(!REDIS_SERVER)("a server that refuses EVAL", () => {
  test("a held lock is still renewed, so it outlives its first lifetime", async () => {
    const redis = await startRedis(NO_EVAL);
    const s = new RedisTokenStore(bunRedisClient(redis.url), {
      commandTimeoutMs: 5_000,
      lockTtlMs: 900,
      onWarning: () => {},
    });
    const release = await s.tryLock(KEY);
    const owner = await redis.client.get(LOCK_KEY);
    await Bun.sleep(2_000);
    expect(await redis.client.get(LOCK_KEY)).toBe(owner);
    await release?.();
    expect(await redis.client.get(LOCK_KEY)).toBeNull();
  });

  test("a read that fails while Redis hangs is an outage, not a miss", async () => {
    const redis = await startRedis(NO_EVAL);
    const s = new RedisTokenStore(bunRedisClient(redis.url), {
      commandTimeoutMs: 300,
      onWarning: () => {},
    });
    expect(await s.get(KEY)).toBeUndefined();
    redis.pause();
    try {
      await expect(s.get(KEY)).rejects.toThrow(/no reply within 300 ms/);
    } finally {
      redis.resume();
    }
  });

  test("a server that refuses GETRANGE too: a read fails with its answer, not as a miss", async () => {
    const redis = await startRedis([...NO_EVAL, "--rename-command", "GETRANGE", ""]);
    await stored(redis, tokenExpiringIn("there", 600));
    const s = store(bunRedisClient(redis.url));
    await expect(s.get(KEY)).rejects.toThrow(/unknown command/);
  });
});

for (const [server, args] of [
  ["", []],
  [" (a server that refuses EVAL)", NO_EVAL],
] as const) {
  describe.skipIf(!REDIS_SERVER)(`a holder that lost its lock${server}`, () => {
    test("stops renewing it, and its release leaves the new holder's lock alone", async () => {
      const redis = await startRedis([...args]);
      const inner = bunRedisClient(redis.url);
      const renewals: number[] = [];
      const client: RedisLike = {
        send(command, sent) {
          const renew =
            (command === "EVAL" && sent[0]?.includes("PEXPIRE") === true) ||
            (command === "GETRANGE" && sent[0] === LOCK_KEY);
          if (renew) renewals.push(Date.now());
          return inner.send(command, sent);
        },
      };
      const s = new RedisTokenStore(client, {
        commandTimeoutMs: 5_000,
        lockTtlMs: 300,
        onWarning: () => {},
      });
      const release = await s.tryLock(KEY);
      await redis.client.send("SET", [LOCK_KEY, "someone-else", "PX", "60000"]);
      const lost = Date.now();
      await Bun.sleep(900);
      // One renewal finds the lock taken over (two if one was in flight), then none.
      expect(renewals.filter((at) => at > lost).length).toBeLessThanOrEqual(2);
      expect(await redis.client.get(LOCK_KEY)).toBe("someone-else");
      await release?.();
      expect(await redis.client.get(LOCK_KEY)).toBe("someone-else");
    });
  });
}
