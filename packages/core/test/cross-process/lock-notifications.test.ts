/**
 * Waiters learn of a new token when it is written, not at their next poll (docs/locks.md,
 * "Notifications"). Real waiter processes on real cache dirs (and a real redis-server for the
 * fleet) with the lock's poll set to 10 s; the lock holder is this test process. Bounds are
 * proofs, not speeds: a waiter that polls every 10 s (each pause 5..15 s, jittered) cannot
 * have a token written after its first look in under 5 s unless something woke it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import {
  cacheKey,
  createEnvConfig,
  createFileTokenStore,
  createTokenManager,
  RedisTokenStore,
  type ReleaseLock,
  type TokenStore,
} from "../fixtures/internal-api.ts";
import { REDIS_SERVER, startRedis, stopAllRedis } from "../redis/redis-server.ts";
import { CLIENT_KEY, cleanup, clientEnv, gateway, tempDir } from "./storm.ts";

/** A waiter polling the lock every <ms>, which says on stdout each time it tried the lock. */
const WAITER = fileURLToPath(new URL("../fixtures/lock-waiter.ts", import.meta.url));
const POLL_MS = 10_000;
/** The soonest a 10 s poll can look again: its first pause is 0.5..1.5 x 10 s. */
const FIRST_POLL_MS = POLL_MS / 2;
/** Well under the first poll: a token within this was delivered by a notification. */
const WOKEN_WITHIN_MS = 4_000;

const live = new Set<Bun.Subprocess>();
afterEach(async () => {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
  await stopAllRedis();
  await cleanup();
});

interface WaiterLine {
  token?: string;
  source?: string;
  elapsedMs?: number;
  waited?: { ms: number; outcome: string } | null;
  error?: unknown;
}

/**
 * A waiter process polling every {@link POLL_MS}. `tried(count)` resolves once it has tried the
 * lock `count` times (it says so on stdout: a try at a held lock leaves nothing in the store);
 * `result`: its last line, once it ended.
 */
function spawnWaiter(env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, WAITER, String(POLL_MS)], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  live.add(child);
  let tries = 0;
  const triedWaits: { count: number; resolve: () => void }[] = [];
  const stdout = (async () => {
    let text = "";
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      const decoded = decoder.decode(chunk, { stream: true });
      text += decoded;
      const lines = (pending + decoded).split("\n");
      pending = lines.pop() ?? "";
      tries += lines.filter((line) => line.startsWith('{"tried":')).length;
      for (const w of triedWaits) if (tries >= w.count) w.resolve();
    }
    return text;
  })();
  const result = Promise.all([stdout, new Response(child.stderr).text(), child.exited]).then(
    ([out, stderr, code]) => {
      live.delete(child);
      const text = out.trim().split("\n").at(-1) ?? "";
      let line: WaiterLine = {};
      try {
        line = JSON.parse(text) as WaiterLine;
      } catch {}
      return { line, stdout: out, stderr, code };
    },
  );
  return {
    child,
    result,
    seen: () => tries,
    tried: (count: number) =>
      new Promise<void>((resolve) => {
        if (tries >= count) resolve();
        else triedWaits.push({ count, resolve });
      }),
  };
}

/** Within `ms`, or throws naming what did not happen. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Machine {
  readonly cacheDir: string;
  readonly env: Record<string, string>;
}

async function setup(machines: number, extra: Record<string, string> = {}) {
  const gw = gateway();
  const root = await tempDir("openclaw-notify-");
  const list: Machine[] = [];
  for (let i = 0; i < machines; i++) {
    const cacheDir = join(root, `machine-${i}`);
    await mkdir(cacheDir, { mode: 0o700 });
    list.push({ cacheDir, env: clientEnv(gw, cacheDir, extra) });
  }
  const config = createEnvConfig(list[0]?.env ?? {}, { envFile: false });
  return { gw, machines: list, config, key: cacheKey(config) };
}

/**
 * The lock holder's work (this process): one token from the gateway, asked without any cache,
 * written to `store`. Resolves to the token.
 */
async function writeHolderToken(
  config: ReturnType<typeof createEnvConfig>,
  store: TokenStore,
  key: string,
): Promise<string> {
  const manager = createTokenManager({ config, store: null });
  const { accessToken, expiresAt, expiresIn } = await manager.getToken();
  await store.set(key, { accessToken, expiresAt, expiresIn });
  return accessToken;
}

/**
 * Starts one waiter per machine while this process holds the lock, waits until each has tried
 * the lock `attempts` times (with notifications: its first look, then its look once its watch
 * is open), then runs `holderWork` (write a token, or not) and releases the lock.
 */
async function waitersBehindHolder(options: {
  machines: readonly Machine[];
  release: ReleaseLock;
  attempts: number;
  holderWork: () => Promise<string | undefined>;
  waiterEnv?: Record<string, string>;
}) {
  const waiters = options.machines.map((m) => spawnWaiter({ ...m.env, ...options.waiterEnv }));
  await within(
    Promise.all(waiters.map((w) => w.tried(options.attempts))),
    60_000,
    `waiters did not try the lock ${options.attempts} times (seen: ${waiters.map((w) => w.seen())})`,
  );
  // The waiters are past their looks: now in a sleep that only a notification or the poll ends.
  await Bun.sleep(300);
  const written = await options.holderWork();
  await options.release();
  const runs = await within(
    Promise.all(waiters.map((w) => w.result)),
    60_000,
    "waiters did not finish",
  );
  return { written, runs };
}

describe("file store: waiters wake on the cache dir's change notifications", () => {
  /** One waiting "machine" (a cache dir); this process holds its lock. */
  async function holder() {
    const s = await setup(1);
    const store = createFileTokenStore(s.machines[0]?.cacheDir ?? "");
    const release = await store.tryLock(s.key);
    expect(release).toBeInstanceOf(Function);
    return { ...s, store, release: release as ReleaseLock };
  }

  test("with a 10 s poll, a waiting process gets the token the lock holder writes long before its first poll, with 1 token request", async () => {
    const s = await holder();
    const { written, runs } = await waitersBehindHolder({
      machines: s.machines,
      release: s.release,
      attempts: 2,
      holderWork: () => writeHolderToken(s.config, s.store, s.key),
    });
    const run = runs[0];
    expect(run?.line.error).toBeUndefined();
    expect(run?.line.token).toBe(written as string);
    expect(run?.line.waited?.outcome).toBe("token");
    expect(run?.line.elapsedMs).toBeLessThan(WOKEN_WITHIN_MS);
    expect(s.gw.stats().requests["/auth/session"]).toBe(1);
    expect(`${run?.stdout}${run?.stderr}`).not.toContain(CLIENT_KEY);
  }, 120_000);

  test("with notifications switched off (lockWait.notify: false), the 10 s poll still delivers the token, after the first pause", async () => {
    const s = await holder();
    const { written, runs } = await waitersBehindHolder({
      machines: s.machines,
      release: s.release,
      attempts: 1,
      waiterEnv: { CONFORMANCE_LOCK_NOTIFY: "0" },
      holderWork: () => writeHolderToken(s.config, s.store, s.key),
    });
    const run = runs[0];
    expect(run?.line.error).toBeUndefined();
    expect(run?.line.token).toBe(written as string);
    // Only the poll could have delivered it: nothing woke the waiter before its first pause ended.
    expect(run?.line.elapsedMs).toBeGreaterThanOrEqual(FIRST_POLL_MS - 500);
    expect(s.gw.stats().requests["/auth/session"]).toBe(1);
  }, 120_000);

  test("a lock holder that fails and releases without writing wakes the waiter, which takes the lock and makes the 1 token request", async () => {
    const s = await holder();
    const { runs } = await waitersBehindHolder({
      machines: s.machines,
      release: s.release,
      attempts: 2,
      holderWork: async () => undefined,
    });
    const run = runs[0];
    expect(run?.line.error).toBeUndefined();
    expect(run?.line.source).toBe("network");
    expect(run?.line.waited?.outcome).toBe("acquired");
    expect(run?.line.elapsedMs).toBeLessThan(WOKEN_WITHIN_MS);
    expect(s.gw.stats().requests["/auth/session"]).toBe(1);
  }, 120_000);
});

describe.skipIf(!REDIS_SERVER)(
  "Redis fleet: waiters wake on the fleet's pub/sub notifications",
  () => {
    /** Two "machines" (own cache dirs) on one redis-server; the holder is a third machine. */
    async function fleet() {
      const redis = await startRedis();
      const s = await setup(2, { AUTH_REDIS_URL: redis.url });
      const shared = new RedisTokenStore(bunRedisClient(redis.url), { onWarning: () => {} });
      const release = await shared.tryLock(s.key);
      expect(release).toBeInstanceOf(Function);
      return { ...s, redis, shared, release: release as ReleaseLock };
    }

    test("with a 10 s poll, waiting processes on two machines get the token the fleet's lock holder writes long before their first poll, with 1 token request", async () => {
      const f = await fleet();
      const { written, runs } = await waitersBehindHolder({
        machines: f.machines,
        release: f.release,
        attempts: 2,
        holderWork: () => writeHolderToken(f.config, f.shared, f.key),
      });
      for (const run of runs) {
        expect(run.line.error).toBeUndefined();
        expect(run.line.token).toBe(written as string);
        expect(run.line.elapsedMs).toBeLessThan(WOKEN_WITHIN_MS);
        expect(`${run.stdout}${run.stderr}`).not.toContain(CLIENT_KEY);
      }
      expect(f.gw.stats().requests["/auth/session"]).toBe(1);
    }, 120_000);

    test("with notifications switched off, the fleet's 10 s poll still delivers the token, after the first pause", async () => {
      const f = await fleet();
      const { written, runs } = await waitersBehindHolder({
        machines: f.machines,
        release: f.release,
        attempts: 1,
        waiterEnv: { CONFORMANCE_LOCK_NOTIFY: "0" },
        holderWork: () => writeHolderToken(f.config, f.shared, f.key),
      });
      for (const run of runs) {
        expect(run.line.error).toBeUndefined();
        expect(run.line.token).toBe(written as string);
        expect(run.line.elapsedMs).toBeGreaterThanOrEqual(FIRST_POLL_MS - 500);
      }
      expect(f.gw.stats().requests["/auth/session"]).toBe(1);
    }, 120_000);

    test("a fleet lock holder that fails and releases without writing wakes the waiters: one takes the lock and makes the 1 token request, the other gets its token", async () => {
      const f = await fleet();
      const { runs } = await waitersBehindHolder({
        machines: f.machines,
        release: f.release,
        attempts: 2,
        holderWork: async () => undefined,
      });
      const tokens = new Set(runs.map((run) => run.line.token));
      for (const run of runs) {
        expect(run.line.error).toBeUndefined();
        expect(run.line.elapsedMs).toBeLessThan(WOKEN_WITHIN_MS);
      }
      expect(tokens.size).toBe(1);
      expect(runs.filter((run) => run.line.source === "network")).toHaveLength(1);
      expect(f.gw.stats().requests["/auth/session"]).toBe(1);
    }, 120_000);
  },
);
