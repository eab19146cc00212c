/** RedisTokenStore against a real redis-server: key layout, expiry, the lock, and outages. */
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import { RedisTokenStore, type RedisTokenStoreOptions } from "../fixtures/internal-api.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const nowSec = () => Date.now() / 1000;
const token = (accessToken: string, inSec: number) => ({
  accessToken,
  expiresAt: nowSec() + inSec,
  expiresIn: inSec,
});

let redis: TestRedis;
let warnings: string[];

// Generous: the machine is shared, and a loaded one starts servers and processes slowly.
setDefaultTimeout(30_000);

function store(options: RedisTokenStoreOptions = {}, url = redis.url): RedisTokenStore {
  return new RedisTokenStore(bunRedisClient(url), {
    onWarning: (message) => warnings.push(message),
    // Tests of the timeout set their own; the rest must not trip over a loaded machine.
    commandTimeoutMs: 5_000,
    ...options,
  });
}

describe.skipIf(!REDIS_SERVER)("RedisTokenStore", () => {
  beforeEach(async () => {
    warnings = [];
    redis = await startRedis();
  });
  afterEach(stopAllRedis);

  test("set stores the cache file's JSON under openclaw:auth:token:<hash>, expiring at expires_at", async () => {
    const s = store();
    const t = token("tok-a", 120);
    await s.set(KEY, t);
    expect(await redis.keys()).toEqual([`openclaw:auth:token:${KEY}`]);
    const raw = (await redis.client.get(`openclaw:auth:token:${KEY}`)) as string;
    expect(JSON.parse(raw)).toEqual({
      access_token: "tok-a",
      expires_at: t.expiresAt,
      expires_in: 120,
    });
    const pttl = (await redis.client.send("PTTL", [`openclaw:auth:token:${KEY}`])) as number;
    expect(pttl).toBeGreaterThan(110_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
    expect(await s.get(KEY)).toEqual(t);
    expect(s.describe(KEY)).toBe(`Redis openclaw:auth:token:${KEY}`);
  });

  test("a missing, non-JSON or off-schema value is a miss", async () => {
    const s = store();
    expect(await s.get(KEY)).toBeUndefined();
    await redis.client.set(`openclaw:auth:token:${KEY}`, "not json");
    expect(await s.get(KEY)).toBeUndefined();
    await redis.client.set(`openclaw:auth:token:${KEY}`, JSON.stringify({ token: "x" }));
    expect(await s.get(KEY)).toBeUndefined();
  });

  test("set keeps a stored token that expires later and replaces one that expires sooner", async () => {
    const s = store();
    await s.set(KEY, token("later", 600));
    await s.set(KEY, token("sooner", 300));
    expect((await s.get(KEY))?.accessToken).toBe("later");
    await s.set(KEY, token("latest", 900));
    expect((await s.get(KEY))?.accessToken).toBe("latest");
  });

  test("a stored value whose token could never be sent is replaced, however late it expires", async () => {
    const s = store();
    const later = Date.now() / 1000 + 3_600;
    for (const bad of ["has space", "crlf\r\nx", "caf\u00e9", "x".repeat(16_385)]) {
      await redis.client.set(
        `openclaw:auth:token:${KEY}`,
        JSON.stringify({ access_token: bad, expires_at: later, expires_in: 3_600 }),
      );
      expect(await s.get(KEY)).toBeUndefined();
      await s.set(KEY, token("good-one", 300));
      expect((await s.get(KEY))?.accessToken).toBe("good-one");
    }
  });

  test("an already expired token is not stored; delete removes the entry", async () => {
    const s = store();
    await s.set(KEY, token("gone", -5));
    expect(await redis.keys()).toEqual([]);
    await s.set(KEY, token("here", 60));
    await s.delete(KEY);
    await s.delete(KEY);
    expect(await s.get(KEY)).toBeUndefined();
  });

  test("the lock is SET NX with a random owner id and a PX lifetime: one holder at a time", async () => {
    const a = store();
    const b = store();
    const release = await a.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    const owner = await redis.client.get(`openclaw:auth:lock:${KEY}`);
    expect(owner).toMatch(/^[0-9a-f-]{36}$/);
    const pttl = (await redis.client.send("PTTL", [`openclaw:auth:lock:${KEY}`])) as number;
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(10_000);
    expect(await b.tryLock(KEY)).toBeUndefined();
    expect(await a.tryLock(KEY)).toBeUndefined();
    await release?.();
    const again = await b.tryLock(KEY);
    expect(again).toBeTypeOf("function");
    expect(await redis.client.get(`openclaw:auth:lock:${KEY}`)).not.toBe(owner);
    await again?.();
    expect(await redis.keys()).toEqual([]);
  });

  test("a release deletes only its own lock, not one another owner holds since", async () => {
    const s = store();
    const release = await s.tryLock(KEY);
    // As if our lock had expired and another machine had taken it over.
    await redis.client.send("SET", [`openclaw:auth:lock:${KEY}`, "someone-else", "PX", "5000"]);
    await release?.();
    expect(await redis.client.get(`openclaw:auth:lock:${KEY}`)).toBe("someone-else");
  });

  test("a lock whose holder died is taken over once its PX lifetime ends", async () => {
    await redis.client.send("SET", [`openclaw:auth:lock:${KEY}`, "dead-holder", "PX", "1500"]);
    const s = store();
    expect(await s.tryLock(KEY)).toBeUndefined();
    const deadline = Date.now() + 10_000;
    while ((await redis.client.send("EXISTS", [`openclaw:auth:lock:${KEY}`])) === 1) {
      if (Date.now() > deadline) throw new Error("the lock never expired");
      await Bun.sleep(50);
    }
    const release = await s.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    await release?.();
  });

  test("a held lock is renewed, so a token request slower than the lifetime keeps it", async () => {
    const a = store({ lockTtlMs: 2_400 });
    const release = await a.tryLock(KEY);
    await Bun.sleep(6_000);
    expect(await store().tryLock(KEY)).toBeUndefined();
    await release?.();
    // Released: no renewal brings it back.
    await Bun.sleep(300);
    expect(await redis.keys()).toEqual([]);
  });

  test("keys take a custom prefix", async () => {
    const s = store({ keyPrefix: "team-a:" });
    await s.set(KEY, token("t", 60));
    const release = await s.tryLock(KEY);
    expect((await redis.keys()).sort()).toEqual([`team-a:lock:${KEY}`, `team-a:token:${KEY}`]);
    await release?.();
  });
});

describe.skipIf(!REDIS_SERVER)("RedisTokenStore on a server that refuses EVAL", () => {
  beforeEach(async () => {
    warnings = [];
    redis = await startRedis(["--rename-command", "EVAL", ""]);
  });
  afterEach(stopAllRedis);

  test("set still keeps the later-expiring token and the lock still releases only its own (GET + DEL)", async () => {
    const s = store();
    await s.set(KEY, token("later", 600));
    await s.set(KEY, token("sooner", 300));
    expect((await s.get(KEY))?.accessToken).toBe("later");

    const release = await s.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    expect(await store().tryLock(KEY)).toBeUndefined();
    await release?.();
    expect(await redis.client.get(`openclaw:auth:lock:${KEY}`)).toBeNull();

    const second = await s.tryLock(KEY);
    await redis.client.send("SET", [`openclaw:auth:lock:${KEY}`, "someone-else", "PX", "5000"]);
    await second?.();
    expect(await redis.client.get(`openclaw:auth:lock:${KEY}`)).toBe("someone-else");
    expect(warnings).toEqual([]);
  });
});

describe.skipIf(!REDIS_SERVER)("RedisTokenStore when Redis is down or hangs", () => {
  beforeEach(async () => {
    warnings = [];
    redis = await startRedis();
  });
  afterEach(stopAllRedis);

  test("a server that answers nothing (SIGSTOP): each call fails within its bound, one warning, then a cool-down without calls; Redis is used again once it answers", async () => {
    const s = store({ commandTimeoutMs: 300, coolDownMs: 1_500 });
    await s.set(KEY, token("before", 600));
    redis.pause();
    try {
      const started = Date.now();
      const error = (await s.get(KEY).catch((e: unknown) => e)) as Error;
      expect(error.message).toContain("no reply within 300 ms");
      expect(Date.now() - started).toBeLessThan(10_000);
      // During the cool-down, calls fail without touching Redis (which would not answer).
      await expect(s.tryLock(KEY)).rejects.toThrow(/cooling down/);
      await expect(s.set(KEY, token("x", 60))).rejects.toThrow(/cooling down/);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("fleet cache Redis unavailable (no reply within 300 ms)");
    } finally {
      redis.resume();
    }
    await Bun.sleep(1_600);
    expect((await s.get(KEY))?.accessToken).toBe("before");
    expect(warnings).toHaveLength(1);
  });

  test("a killed server: calls fail fast with one warning across them, and the password in the URL never shows", async () => {
    const url = `redis://user:pw-SECRET-91ce@127.0.0.1:${redis.port}`;
    await redis.kill();
    const s = store({ label: "redis://127.0.0.1", coolDownMs: 0 }, url);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const error = (await s.get(KEY).catch((e: unknown) => e)) as Error;
      expect(error.name).toBe("RedisUnavailableError");
      expect(error.message).not.toContain("pw-SECRET-91ce");
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings.join("\n")).not.toContain("pw-SECRET-91ce");
  });
});
