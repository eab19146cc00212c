/**
 * A fleet on one Redis: "machines" are groups of real processes, each group with its own cache
 * dir, all configured with AUTH_REDIS_URL. One token request per expiry for the whole fleet;
 * Redis dying or hanging costs one warning per process and never a failed or hung call.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  cacheKey,
  createEnvConfig,
  createTokenManager,
  getAccessTokenInfo,
  parseCacheFile,
  refreshAccessToken,
} from "../fixtures/internal-api.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

const MACHINE_CLIENT = fileURLToPath(new URL("./fixtures/machine-client.ts", import.meta.url));
/** A client key nothing may ever contain. */
const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
const FLEET_WARNING = "fleet cache redis://127.0.0.1";

interface Call {
  token?: string;
  source?: string;
  elapsedMs?: number;
  error?: { name?: string; code?: string; message?: string };
}

interface Run {
  readonly machine: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly calls: Call[];
  readonly elapsedMs: number | undefined;
}

// Generous: the machine is shared, and a loaded one starts servers and processes slowly.
setDefaultTimeout(120_000);

const live = new Set<Bun.Subprocess>();
const dirs = new Set<string>();
const gateways = new Set<DevGateway>();

afterEach(async () => {
  for (const child of live) child.kill("SIGKILL");
  await Promise.all([...live].map((child) => child.exited));
  live.clear();
  await stopAllRedis();
  await Promise.all([...gateways].map((g) => g.stop()));
  gateways.clear();
  await Promise.all([...dirs].map((dir) => rm(dir, { recursive: true, force: true })));
  dirs.clear();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-fleet-"));
  dirs.add(dir);
  return dir;
}

function gateway(ttlSec = 900): DevGateway {
  const gw = startDevGateway({ clientKeys: [CLIENT_KEY], ttlSec });
  gateways.add(gw);
  return gw;
}

/** The environment of a process on machine `machine` (its own cache dir under `root`). */
function machineEnv(
  gw: DevGateway,
  redis: { url: string },
  root: string,
  machine: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    AUTH_BASE: gw.url,
    CLIENT_KEY,
    AUTH_CACHE_DIR: join(root, `machine-${machine}`),
    AUTH_REDIS_URL: redis.url,
    ...extra,
  };
}

/**
 * Starts `perMachine` processes on each of `machines` machines, waits until all are loaded,
 * releases them together, and calls `afterGo` right after. None outlives `timeoutMs`.
 */
async function fleet(options: {
  machines: number;
  perMachine: number;
  env: (machine: number) => Record<string, string>;
  timeoutMs?: number;
  afterGo?: () => Promise<void>;
}): Promise<Run[]> {
  const gate = await tempDir();
  const readyDir = join(gate, "ready");
  const goFile = join(gate, "go");
  await mkdir(readyDir);
  const started = Array.from({ length: options.machines * options.perMachine }, (_, i) => {
    const machine = Math.floor(i / options.perMachine);
    const child = Bun.spawn([process.execPath, MACHINE_CLIENT], {
      env: { ...options.env(machine), MACHINE_READY_DIR: readyDir, MACHINE_GO_FILE: goFile },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    live.add(child);
    return { machine, child };
  });
  const outputs = started.map(({ child }) =>
    Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]),
  );
  let exited = 0;
  for (const { child } of started) void child.exited.then(() => exited++);
  const loadDeadline = Date.now() + 60_000;
  while ((await readdir(readyDir)).length + exited < started.length) {
    if (Date.now() > loadDeadline) break;
    await Bun.sleep(10);
  }
  await writeFile(goFile, "");
  const timedOut = new Set<number>();
  const timers = started.map(({ child }, i) =>
    setTimeout(() => {
      timedOut.add(i);
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000),
  );
  try {
    await options.afterGo?.();
    const results = await Promise.all(outputs);
    return results.map(([stdout, stderr, code], i) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      let parsed: { calls?: Call[]; elapsedMs?: number } = {};
      try {
        parsed = JSON.parse(line);
      } catch {}
      return {
        machine: started[i]?.machine ?? -1,
        code,
        stdout,
        stderr,
        timedOut: timedOut.has(i),
        calls: parsed.calls ?? [],
        elapsedMs: parsed.elapsedMs,
      };
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const { child } of started) live.delete(child);
  }
}

function describeRuns(runs: readonly Run[]): string {
  return runs
    .map(
      (r) =>
        `machine ${r.machine} code=${r.code}${r.timedOut ? " TIMED OUT" : ""} ${r.stdout.trim().slice(0, 300)} ${r.stderr.trim().slice(0, 300)}`,
    )
    .join("\n");
}

/** Every run exited 0, in time, and every call got a token; returns all calls. */
function allCalls(runs: readonly Run[], expectedCalls = 1): Call[] {
  const bad = runs.filter(
    (r) =>
      r.code !== 0 ||
      r.timedOut ||
      r.calls.length !== expectedCalls ||
      r.calls.some((c) => typeof c.token !== "string"),
  );
  expect(bad.length === 0 ? "" : describeRuns(bad)).toBe("");
  return runs.flatMap((r) => r.calls);
}

/** Lines of a process's stderr that are fleet cache warnings. */
function fleetWarnings(run: Run): string[] {
  return run.stderr.split("\n").filter((line) => line.includes(FLEET_WARNING));
}

/** Every key and, for string keys, its value. */
async function redisContents(redis: TestRedis): Promise<Map<string, string | null>> {
  const contents = new Map<string, string | null>();
  for (const key of await redis.keys()) {
    const type = await redis.client.send("TYPE", [key]);
    contents.set(key, type === "string" ? await redis.client.get(key) : `<${type}>`);
  }
  return contents;
}

async function cacheFileToken(root: string, machine: number, key: string) {
  const text = await readFile(join(root, `machine-${machine}`, `token_${key}.json`), "utf8");
  return parseCacheFile(text)?.accessToken;
}

describe.skipIf(!REDIS_SERVER)("a fleet sharing one Redis", () => {
  test("three machines (separate cache dirs, three processes each), cold, gateway latency 300 ms: 1 token request in all", async () => {
    const redis = await startRedis();
    const gw = gateway();
    gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const root = await tempDir();
    const runs = await fleet({
      machines: 3,
      perMachine: 3,
      env: (m) => machineEnv(gw, redis, root, m),
    });

    const calls = allCalls(runs);
    const tokens = new Set(calls.map((c) => c.token));
    expect(tokens.size).toBe(1);
    expect(gw.stats().tokensIssued).toBe(1);
    expect(gw.stats().requests["/auth/session"]).toBe(1);
    expect(calls.filter((c) => c.source === "network")).toHaveLength(1);
    for (const run of runs) expect(run.stderr).toBe("");

    // Redis holds the token (no lock left), and every machine's cache file has it too.
    const key = cacheKey(createEnvConfig(machineEnv(gw, redis, root, 0), { envFile: false }));
    const token = [...tokens][0] as string;
    expect([...(await redisContents(redis)).keys()]).toEqual([`openclaw:auth:token:${key}`]);
    for (const machine of [0, 1, 2]) {
      expect(await cacheFileToken(root, machine, key)).toBe(token);
    }
  });

  test("no Redis key or value contains the client key: tokens, locks in flight, after a refresh", async () => {
    const redis = await startRedis();
    const gw = gateway();
    gw.setFaults([{ kind: "latency", ms: 1_500, route: "/auth/session" }]);
    const root = await tempDir();
    const config = createEnvConfig(machineEnv(gw, redis, root, 0), { envFile: false });
    const key = cacheKey(config);
    const seen = new Map<string, string | null>();
    const collect = async () => {
      for (const [k, v] of await redisContents(redis)) seen.set(`${k}\n${v}`, v);
    };

    // While the token request is in flight, the lock is in Redis.
    const tokenManager = createTokenManager({ config, onWarning: () => {} });
    const first = getAccessTokenInfo({ tokenManager });
    const lockDeadline = Date.now() + 10_000;
    while (!(await redis.keys()).includes(`openclaw:auth:lock:${key}`)) {
      if (Date.now() > lockDeadline) throw new Error("the lock never showed in Redis");
      await Bun.sleep(20);
    }
    await collect();
    await first;
    await collect();
    gw.setFaults([]);
    await refreshAccessToken({ tokenManager });
    await collect();

    const runs = await fleet({
      machines: 2,
      perMachine: 2,
      env: (m) => machineEnv(gw, redis, root, m + 1),
    });
    allCalls(runs);
    await collect();

    const entries = [...seen.keys()];
    expect(entries.some((e) => e.startsWith(`openclaw:auth:lock:${key}\n`))).toBe(true);
    expect(entries.some((e) => e.startsWith(`openclaw:auth:token:${key}\n`))).toBe(true);
    for (const entry of entries) {
      expect(entry).not.toContain(CLIENT_KEY);
      expect(entry).toMatch(/^openclaw:auth:(token|lock):[0-9a-f]{32}\n/);
    }
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(CLIENT_KEY);
  });

  test("Redis killed mid-run: every call of every machine still succeeds, from the local caches or the gateway, with no hang and one warning per process", async () => {
    const redis = await startRedis();
    // Tokens live 2 s and are refreshed 1 s before expiry: each machine needs several during the run.
    const gw = gateway(2);
    const root = await tempDir();
    let issuedBeforeKill = 0;
    const runs = await fleet({
      machines: 3,
      perMachine: 2,
      env: (m) =>
        machineEnv(gw, redis, root, m, {
          AUTH_MIN_TTL_SEC: "1",
          MACHINE_CALLS: "30",
          MACHINE_INTERVAL_MS: "150",
        }),
      timeoutMs: 60_000,
      afterGo: async () => {
        await Bun.sleep(1_500);
        issuedBeforeKill = gw.stats().tokensIssued;
        await redis.kill();
      },
    });

    const calls = allCalls(runs, 30);
    for (const call of calls) expect(call.elapsedMs).toBeLessThan(15_000);
    for (const run of runs) {
      expect(fleetWarnings(run)).toHaveLength(1);
      // Nothing else was printed: no lock give-up, no stale token, no error.
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
    // Before the kill the fleet shared its tokens; after it, each machine fetched its own.
    expect(issuedBeforeKill).toBeGreaterThanOrEqual(1);
    expect(gw.stats().tokensIssued).toBeGreaterThan(issuedBeforeKill);
  });

  test("Redis hanging (SIGSTOP) from the start: machines get tokens from the gateway, one request per machine, and every process exits in time", async () => {
    const redis = await startRedis();
    const gw = gateway();
    gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const root = await tempDir();
    redis.pause();
    let runs: Run[];
    try {
      runs = await fleet({
        machines: 3,
        perMachine: 3,
        env: (m) => machineEnv(gw, redis, root, m),
        timeoutMs: 30_000,
      });
    } finally {
      redis.resume();
    }
    allCalls(runs);
    for (const run of runs) {
      expect(run.elapsedMs).toBeLessThan(20_000);
      expect(fleetWarnings(run)).toHaveLength(1);
    }
    // The lock files still keep each machine to one request.
    expect(gw.stats().tokensIssued).toBe(3);
  });

  test("Redis hanging mid-run (SIGSTOP with commands in flight): calls keep succeeding and no process is kept alive by a reply that never comes", async () => {
    const redis = await startRedis();
    const gw = gateway(2);
    const root = await tempDir();
    let runs: Run[];
    try {
      runs = await fleet({
        machines: 3,
        perMachine: 1,
        env: (m) =>
          machineEnv(gw, redis, root, m, {
            AUTH_MIN_TTL_SEC: "1",
            MACHINE_CALLS: "20",
            MACHINE_INTERVAL_MS: "150",
          }),
        timeoutMs: 30_000,
        afterGo: async () => {
          await Bun.sleep(1_200);
          redis.pause();
        },
      });
    } finally {
      redis.resume();
    }
    const calls = allCalls(runs, 20);
    for (const call of calls) expect(call.elapsedMs).toBeLessThan(15_000);
    for (const run of runs) {
      expect(fleetWarnings(run)).toHaveLength(1);
      expect(fleetWarnings(run)[0]).toContain("no reply within 500 ms");
    }
  });

  test("in one process: Redis killed while a long-lived manager keeps refreshing: calls keep succeeding and onWarning hears of it once", async () => {
    const redis = await startRedis();
    const gw = gateway(2);
    const root = await tempDir();
    const config = createEnvConfig(machineEnv(gw, redis, root, 0, { AUTH_MIN_TTL_SEC: "1" }), {
      envFile: false,
    });
    const warnings: string[] = [];
    const tokenManager = createTokenManager({ config, onWarning: (m) => warnings.push(m) });
    const sources = new Set<string>();
    let slowest = 0;
    const runUntil = Date.now() + 5_000;
    let killed = false;
    while (Date.now() < runUntil) {
      if (!killed && Date.now() > runUntil - 3_500) {
        await redis.kill();
        killed = true;
      }
      const started = performance.now();
      sources.add((await getAccessTokenInfo({ tokenManager })).source);
      slowest = Math.max(slowest, performance.now() - started);
      await Bun.sleep(100);
    }
    expect(killed).toBe(true);
    expect(slowest).toBeLessThan(15_000);
    expect(sources.has("network")).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(FLEET_WARNING);
  });
});
