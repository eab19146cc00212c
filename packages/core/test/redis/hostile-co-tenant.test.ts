/**
 * A hostile co-tenant of the fleet's Redis (another program with access to the same server):
 * what it writes under our keys or publishes on our channel is held to the cache file's rules
 * (docs/security.md). An entry is at most 64 KiB and never fetched when larger; only a token the
 * readers accept is kept by a write; a notification is a hint that never makes a waiter poll
 * faster than its lock-wait policy.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import {
  createEnvConfig,
  createTokenManager,
  RedisTokenStore,
  type TokenManager,
} from "../fixtures/internal-api.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN_KEY = `openclaw:auth:token:${KEY}`;
const READ_ENTRY = fileURLToPath(new URL("./fixtures/read-entry.ts", import.meta.url));
const PUBLISH_FLOOD = fileURLToPath(new URL("./fixtures/publish-flood.ts", import.meta.url));

// Generous: the machine is shared, and a loaded one starts servers and processes slowly.
setDefaultTimeout(60_000);

const children = new Set<Bun.Subprocess>();
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all([...children].map((child) => child.exited));
  children.clear();
  await stopAllRedis();
});

const store = (redis: TestRedis) =>
  new RedisTokenStore(bunRedisClient(redis.url), { commandTimeoutMs: 10_000, onWarning: () => {} });

/** Bytes the server has sent to its clients so far (INFO stats). */
async function bytesSent(redis: TestRedis): Promise<number> {
  const info = (await redis.client.send("INFO", ["stats"])) as string;
  return Number(/total_net_output_bytes:(\d+)/.exec(info)?.[1]);
}

/** A value of 128 MiB under `key`, made on the server (SETRANGE pads with zero bytes). */
async function plantHugeValue(redis: TestRedis, key: string): Promise<void> {
  await redis.client.send("SET", [key, '{"access_token":"planted","expires_at":1e12,"pad":"']);
  await redis.client.send("SETRANGE", [key, String(128 * 2 ** 20 - 2), '"}']);
}

/** Values a reader refuses that claim to expire never, or in a far future (no TTL either). */
const ENDLESS = {
  "1e999": '{"access_token":"planted","expires_at":1e999,"expires_in":1}',
  "Infinity literal": '{"access_token":"planted","expires_at":Infinity}',
  hexadecimal: '{"access_token":"planted","expires_at":0x7fffffffffffff}',
  NaN: '{"access_token":"planted","expires_at":nan}',
  "leading zero": '{"access_token":"planted","expires_at":09999999999}',
  "raw tab in a string": '{"access_token":"planted","expires_at":9999999999,"x":"a\tb"}',
};

for (const [server, args] of [
  ["", []],
  [" (a server that refuses EVAL)", ["--rename-command", "EVAL", ""]],
] as const) {
  describe.skipIf(!REDIS_SERVER)(`a hostile co-tenant's entry${server}`, () => {
    for (const [name, planted] of Object.entries(ENDLESS)) {
      test(`an entry whose expires_at is ${name} is never served and is replaced by the next write, expiry included`, async () => {
        const redis = await startRedis([...args]);
        const s = store(redis);
        await redis.client.send("SET", [TOKEN_KEY, planted]);
        expect(await s.get(KEY)).toBeUndefined();
        await s.set(KEY, tokenExpiringIn("ours", 600));
        expect((await s.get(KEY))?.accessToken).toBe("ours");
        const pttl = (await redis.client.send("PTTL", [TOKEN_KEY])) as number;
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(600_000);
      });
    }

    test("a 128 MiB entry is never fetched: a read and a write take less than 256 KiB from the server, and the write replaces it", async () => {
      const redis = await startRedis([...args]);
      const s = store(redis);
      await plantHugeValue(redis, TOKEN_KEY);
      const before = await bytesSent(redis);
      expect(await s.get(KEY)).toBeUndefined();
      await s.set(KEY, tokenExpiringIn("ours", 600));
      expect(await bytesSent(redis)).toBeLessThan(before + 256 * 1024);
      expect((await redis.client.send("STRLEN", [TOKEN_KEY])) as number).toBeLessThan(200);
      expect((await s.get(KEY))?.accessToken).toBe("ours");
    });

    test("an entry of another type (a hash) is a miss and is replaced by the next write", async () => {
      const redis = await startRedis([...args]);
      const s = store(redis);
      await redis.client.send("HSET", [TOKEN_KEY, "access_token", "planted"]);
      expect(await s.get(KEY)).toBeUndefined();
      await s.set(KEY, tokenExpiringIn("ours", 600));
      expect((await s.get(KEY))?.accessToken).toBe("ours");
    });
  });
}

describe.skipIf(!REDIS_SERVER)("a hostile co-tenant's 128 MiB entry, in a real process", () => {
  test("a process reading it three times peaks under 160 MB of RSS and finds no token", async () => {
    const redis = await startRedis();
    await plantHugeValue(redis, TOKEN_KEY);
    const child = Bun.spawn([process.execPath, READ_ENTRY], {
      env: { ...process.env, REDIS_URL: redis.url, ENTRY_KEY: KEY },
      stdout: "pipe",
      stderr: "pipe",
    });
    children.add(child);
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    expect(await child.exited, stderr).toBe(0);
    const { rssMb, found } = JSON.parse(stdout) as { rssMb: number; found: boolean };
    console.log(`peak RSS of the reader: ${rssMb} MB`);
    expect(found).toBe(false);
    expect(rssMb).toBeLessThan(160);
  });
});

describe.skipIf(!REDIS_SERVER)("a hostile co-tenant flooding the notify channel", () => {
  /** Commands of a lock wait: tries at the lock (SET) and reads (EVAL, GET, GETRANGE). */
  async function waiterCommands(redis: TestRedis): Promise<number> {
    const info = (await redis.client.send("INFO", ["commandstats"])) as string;
    let calls = 0;
    for (const [, command, n] of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
      if (["set", "eval", "evalsha", "get", "getrange"].includes(command as string))
        calls += Number(n);
    }
    return calls;
  }

  /**
   * A manager waits `holdMs` for a lock the test holds, then the token arrives (SET and PUBLISH,
   * as a holder's write); with `flood`, a co-tenant publishes on the channel all along.
   * The commands the wait cost, and the CPU time of this process meanwhile.
   */
  async function lockWait(redis: TestRedis, clientKey: string, flood: boolean) {
    const config = createEnvConfig(
      { AUTH_BASE: "http://127.0.0.1:9", CLIENT_KEY: clientKey },
      { envFile: false },
    );
    const manager: TokenManager = createTokenManager({
      config,
      store: store(redis),
      onWarning: () => {},
      // Pauses of 50 to 150 ms, and the channel watched from the first one.
      lockWait: { initialPollMs: 100, maxPollMs: 100, giveUpMs: 30_000 },
    });
    const channel = `openclaw:auth:notify:${manager.key}`;
    await redis.client.send("SET", [`openclaw:auth:lock:${manager.key}`, "holder", "PX", "60000"]);
    if (flood) {
      const child = Bun.spawn([process.execPath, PUBLISH_FLOOD], {
        env: { ...process.env, REDIS_URL: redis.url, CHANNEL: channel },
        stdout: "pipe",
        stderr: "inherit",
      });
      children.add(child);
      // Flooding before the wait starts.
      await child.stdout.getReader().read();
    }
    await redis.client.send("CONFIG", ["RESETSTAT"]);
    const cpu = process.cpuUsage();
    const waiting = manager.getToken();
    await Bun.sleep(2_000);
    const value = JSON.stringify({ access_token: "holders", expires_at: Date.now() / 1000 + 600 });
    await redis.client.send("SET", [`openclaw:auth:token:${manager.key}`, value, "PX", "600000"]);
    await redis.client.send("PUBLISH", [channel, "token"]);
    expect((await waiting).accessToken).toBe("holders");
    const used = process.cpuUsage(cpu);
    const commands = await waiterCommands(redis);
    for (const child of children) child.kill("SIGKILL");
    return { commands, cpuMs: Math.round((used.user + used.system) / 1000) };
  }

  test("a waiter flooded with forged notifications sends no more commands than one that only polls", async () => {
    const redis = await startRedis();
    const quiet = await lockWait(redis, "ck-quiet-CANARY-1a", false);
    const flooded = await lockWait(redis, "ck-flood-CANARY-2b", true);
    console.log(`quiet: ${JSON.stringify(quiet)}; flooded: ${JSON.stringify(flooded)}`);
    // Same pauses, drawn at random: a few tries either way, never a multiple.
    expect(flooded.commands).toBeLessThanOrEqual(quiet.commands * 1.25 + 9);
    // The flood is not even received for long: the subscription is dropped (CPU is noisy on a
    // loaded machine, hence the wide margin; spinning costs ten times more).
    expect(flooded.cpuMs).toBeLessThan(quiet.cpuMs * 3 + 60);
  });
});
