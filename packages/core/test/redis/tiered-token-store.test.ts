/** TieredTokenStore: Redis in front of the cache files, with the files carrying on when Redis fails. */
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import {
  createEnvConfig,
  createFileTokenStore,
  createTokenManager,
  type FileTokenStore,
  RedisTokenStore,
  TieredTokenStore,
} from "../fixtures/internal-api.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN_KEY = `openclaw:auth:token:${KEY}`;
const LOCK_KEY = `openclaw:auth:lock:${KEY}`;

let redis: TestRedis;
let root: string;
let warnings: string[];
let files: FileTokenStore;
let shared: RedisTokenStore;
let tiered: TieredTokenStore;

// Generous: the machine is shared, and a loaded one starts servers and processes slowly.
setDefaultTimeout(30_000);

function fleetStore(commandTimeoutMs = 5_000) {
  const warn = (message: string) => warnings.push(message);
  shared = new RedisTokenStore(bunRedisClient(redis.url), { onWarning: warn, commandTimeoutMs });
  tiered = new TieredTokenStore(shared, files);
  return tiered;
}

describe.skipIf(!REDIS_SERVER)("TieredTokenStore", () => {
  beforeEach(async () => {
    warnings = [];
    root = await mkdtemp(join(tmpdir(), "openclaw-tiered-"));
    files = createFileTokenStore(join(root, "cache"), (message) => warnings.push(message));
    redis = await startRedis();
    fleetStore();
  });
  afterEach(async () => {
    await stopAllRedis();
    await rm(root, { recursive: true, force: true });
  });

  test("set writes Redis and the cache file; delete removes both", async () => {
    await tiered.set(KEY, tokenExpiringIn("both", 600));
    expect((await shared.get(KEY))?.accessToken).toBe("both");
    expect((await files.get(KEY))?.accessToken).toBe("both");
    await tiered.delete(KEY);
    expect(await redis.keys()).toEqual([]);
    expect(await files.get(KEY)).toBeUndefined();
    expect(tiered.describe(KEY)).toBe(
      `Redis ${TOKEN_KEY}, then ${join(root, "cache", `token_${KEY}.json`)}`,
    );
  });

  test("get prefers the later-expiring token; a Redis token newer than the file is copied into the file", async () => {
    await files.set(KEY, tokenExpiringIn("file-old", 300));
    await shared.set(KEY, tokenExpiringIn("fleet-new", 600));
    expect((await tiered.get(KEY))?.accessToken).toBe("fleet-new");
    expect((await files.get(KEY))?.accessToken).toBe("fleet-new");

    // A token this machine got while Redis was away outlives Redis's: the file's wins.
    await files.set(KEY, tokenExpiringIn("file-newest", 900));
    expect((await tiered.get(KEY))?.accessToken).toBe("file-newest");
  });

  test("get falls back to the file when Redis has nothing", async () => {
    await files.set(KEY, tokenExpiringIn("local", 600));
    expect((await tiered.get(KEY))?.accessToken).toBe("local");
  });

  test("tryLock holds the lock file and the Redis lock; the release frees both", async () => {
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    expect(await readdir(join(root, "cache"))).toContain(`token_${KEY}.lock`);
    expect(await redis.keys()).toEqual([LOCK_KEY]);
    await release?.();
    expect(await readdir(join(root, "cache"))).not.toContain(`token_${KEY}.lock`);
    expect(await redis.keys()).toEqual([]);
  });

  test("a Redis lock held by another machine: tryLock fails and gives the lock file back at once", async () => {
    const elsewhere = await new RedisTokenStore(bunRedisClient(redis.url)).tryLock(KEY);
    expect(await tiered.tryLock(KEY)).toBeUndefined();
    expect(await readdir(join(root, "cache"))).not.toContain(`token_${KEY}.lock`);
    await elsewhere?.();
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    await release?.();
  });

  test("a lock file held on this machine: tryLock fails without asking Redis", async () => {
    const local = await files.tryLock(KEY);
    expect(await tiered.tryLock(KEY)).toBeUndefined();
    expect(await redis.keys()).toEqual([]);
    await local?.();
  });

  test("Redis down: get serves the file, set writes the file, tryLock takes the lock file alone; nothing throws; one warning", async () => {
    await tiered.set(KEY, tokenExpiringIn("before", 600));
    await redis.kill();

    expect((await tiered.get(KEY))?.accessToken).toBe("before");
    await tiered.set(KEY, tokenExpiringIn("during", 900));
    expect(JSON.parse(await readFile(files.filePath(KEY), "utf8")).access_token).toBe("during");
    expect((await tiered.get(KEY))?.accessToken).toBe("during");
    const release = await tiered.tryLock(KEY);
    expect(release).toBeTypeOf("function");
    expect(await readdir(join(root, "cache"))).toContain(`token_${KEY}.lock`);
    // Another process on this machine is still kept out by the lock file.
    expect(await new TieredTokenStore(shared, files).tryLock(KEY)).toBeUndefined();
    await release?.();
    await tiered.delete(KEY);
    expect(await tiered.get(KEY)).toBeUndefined();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^fleet cache Redis unavailable/);
  });

  test("Redis hanging (SIGSTOP): every call returns within the bound, from the files", async () => {
    fleetStore(300);
    await tiered.set(KEY, tokenExpiringIn("local", 600));
    redis.pause();
    try {
      const started = Date.now();
      expect((await tiered.get(KEY))?.accessToken).toBe("local");
      const release = await tiered.tryLock(KEY);
      expect(release).toBeTypeOf("function");
      await release?.();
      // Bounded: a call waiting for the paused server would never return.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(warnings).toHaveLength(1);
    } finally {
      redis.resume();
    }
  });
  test("a lifetime given in milliseconds or as 1e12 s reaches Redis and the file capped at AUTH_MAX_TTL_SEC", async () => {
    const nowMs = Date.now();
    const answers = [
      { accessToken: "in-ms", expires_at: nowMs + 600_000 },
      { accessToken: "forever", expiresIn: 1e12 },
    ];
    let next = 0;
    const gateway = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => Response.json(answers[next++]),
    });
    try {
      const config = createEnvConfig(
        {
          AUTH_BASE: `http://127.0.0.1:${gateway.port}`,
          CLIENT_KEY: "ck-redis-CANARY-61b2",
          AUTH_MAX_TTL_SEC: "3600",
        },
        { envFile: false },
      );
      for (const expected of ["in-ms", "forever"]) {
        const manager = createTokenManager({ config, store: fleetStore(), onWarning: () => {} });
        const info = await manager.refresh();
        expect(info.accessToken).toBe(expected);
        // Ten minutes read as milliseconds; the endless one cut to the cap.
        expect(info.expiresIn).toBeCloseTo(expected === "in-ms" ? 600 : 3_600, -1);
        const key = `openclaw:auth:token:${manager.key}`;
        const stored = JSON.parse((await redis.client.get(key)) as string);
        expect(stored.access_token).toBe(expected);
        const cap = Date.now() / 1000 + 3_600;
        expect(stored.expires_at).toBeLessThanOrEqual(cap);
        expect((await redis.client.send("PTTL", [key])) as number).toBeLessThanOrEqual(3_600_000);
        expect((await files.get(manager.key))?.expiresAt).toBeLessThanOrEqual(cap);
      }
    } finally {
      gateway.stop(true);
    }
  });
  test("a token found only in Redis is reported as token.acquired from source redis; one in the file, from cache", async () => {
    const config = createEnvConfig(
      { AUTH_BASE: "http://127.0.0.1:9", CLIENT_KEY: "ck-tier-CANARY-9d3e" },
      { envFile: false },
    );
    const events: { type: string; source?: string }[] = [];
    const manager = () =>
      createTokenManager({
        config,
        store: fleetStore(),
        onWarning: () => {},
        onEvent: (event) => events.push(event as { type: string; source?: string }),
      });
    const first = manager();
    await shared.set(first.key, tokenExpiringIn("fleet-only", 600));
    expect((await first.getToken()).accessToken).toBe("fleet-only");
    expect(events.filter((e) => e.type === "token.acquired").map((e) => e.source)).toEqual([
      "redis",
    ]);
    // The tiered store copied it into the file; Redis now loses it: the next process reads the file.
    await redis.client.send("DEL", [`openclaw:auth:token:${first.key}`]);
    events.length = 0;
    expect((await manager().getToken()).accessToken).toBe("fleet-only");
    expect(events.filter((e) => e.type === "token.acquired").map((e) => e.source)).toEqual([
      "cache",
    ]);
  });
});
