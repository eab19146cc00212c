/**
 * Many processes, one token: real client processes started together against one cache dir and
 * the dev gateway make one token request, and a lock left behind does not stop them.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { cacheKey, createEnvConfig, parseCacheFile } from "../fixtures/internal-api.ts";
import {
  CLIENT_KEY,
  cleanup,
  clientEnv,
  describeRuns,
  firstLine,
  gateway,
  leaked,
  type StormRun,
  spawnClient,
  storm,
  tempDir,
} from "./storm.ts";

afterEach(cleanup);

const GIVE_UP_WARNING = "going on without it";

async function cacheFixture() {
  const cacheDir = join(await tempDir(), "cache");
  const gw = gateway();
  const env = clientEnv(gw, cacheDir);
  const key = cacheKey(createEnvConfig(env, { envFile: false }));
  return {
    gw,
    cacheDir,
    env,
    key,
    cacheFile: join(cacheDir, `token_${key}.json`),
    lockFile: join(cacheDir, `token_${key}.lock`),
  };
}

/** Every run exited 0 with a token; returns the tokens. */
function tokensOf(runs: readonly StormRun[]): string[] {
  const bad = runs.filter((r) => r.code !== 0 || r.timedOut || typeof r.line?.token !== "string");
  expect(bad.length === 0 ? "" : describeRuns(bad)).toBe("");
  return runs.map((r) => r.line?.token as string);
}

async function writeLock(path: string, owner: { pid: number; host: string; createdAt: number }) {
  await writeFile(path, JSON.stringify(owner), { mode: 0o600 });
}

async function cacheFileToken(path: string): Promise<string | undefined> {
  return parseCacheFile(await readFile(path, "utf8"))?.accessToken;
}

describe("many processes, one token", () => {
  test("32 processes started together on a cold cache (gateway latency 300 ms) make exactly 1 token request and all get its token", async () => {
    const f = await cacheFixture();
    f.gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const runs = await storm({ count: 32, env: f.env });

    const tokens = tokensOf(runs);
    expect(new Set(tokens).size).toBe(1);
    expect(runs.filter((r) => r.line?.source === "network")).toHaveLength(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    expect(f.gw.stats().requests["/auth/session"]).toBe(1);
    expect(await cacheFileToken(f.cacheFile)).toBe(tokens[0]);
    // The lock is released and nothing else is left behind.
    expect(await readdir(f.cacheDir)).toEqual([`token_${f.key}.json`]);
    expect(leaked(runs)).toEqual([]);
  }, 120_000);

  test("32 processes whose cached token is past its refresh point make 1 refresh, not 32", async () => {
    const f = await cacheFixture();
    f.gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    // Still valid for 30 s, but inside the 60 s refresh margin.
    const old = f.gw.issueToken({ ttlSec: 30 });
    await writeFile(
      join(await ensureDir(f.cacheDir), `token_${f.key}.json`),
      JSON.stringify({ access_token: old, expires_at: Date.now() / 1000 + 30, expires_in: 30 }),
      { mode: 0o600 },
    );
    const runs = await storm({ count: 32, env: { ...f.env, AUTH_MIN_TTL_SEC: "60" } });

    const tokens = tokensOf(runs);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(old);
    expect(f.gw.stats().tokensIssued).toBe(1);
    expect(await cacheFileToken(f.cacheFile)).toBe(tokens[0]);
    expect(leaked(runs)).toEqual([]);
  }, 120_000);

  test("a cache file crossing its refresh point during a staggered storm is refreshed once: each process gets the old token or the one new token", async () => {
    const f = await cacheFixture();
    const old = f.gw.issueToken({ ttlSec: 5 });
    let refreshPointSec = 0;
    const runs = await storm({
      count: 16,
      // Starts spread over 0.75 s; the refresh point falls 0.25 s in.
      env: (i) => ({ ...f.env, AUTH_MIN_TTL_SEC: "1", STORM_DELAY_MS: String(i * 50) }),
      beforeGo: async () => {
        refreshPointSec = Date.now() / 1000 + 0.25;
        await writeFile(
          join(await ensureDir(f.cacheDir), `token_${f.key}.json`),
          JSON.stringify({ access_token: old, expires_at: refreshPointSec + 1, expires_in: 5 }),
          { mode: 0o600 },
        );
      },
    });

    const tokens = tokensOf(runs);
    const fresh = new Set(tokens.filter((t) => t !== old));
    expect(fresh.size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    // The late starters (0.4 s and more after the go) all read past the refresh point.
    for (const run of runs.slice(8)) expect(run.line?.token).not.toBe(old);
    expect(await cacheFileToken(f.cacheFile)).toBe([...fresh][0] as string);
    expect(refreshPointSec).toBeGreaterThan(0);
  }, 120_000);
});

describe("a lock left behind", () => {
  test("a lock of a process killed (SIGKILL) while holding it is taken over at once: the next callers get one token, without waiting out the bound", async () => {
    const f = await cacheFixture();
    const holder = spawnClient("hold-lock", f.env);
    expect((await firstLine(holder))?.locked).toBe(true);
    expect(JSON.parse(await readFile(f.lockFile, "utf8")).pid).toBe(holder.pid);
    holder.kill("SIGKILL");
    await holder.exited; // reaped: the pid is gone, not a zombie

    // With latency, two owners after the takeover race would both ask the gateway.
    f.gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const runs = await storm({ count: 16, env: f.env });
    const tokens = tokensOf(runs);
    expect(new Set(tokens).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    for (const run of runs) {
      expect(run.stderr).not.toContain(GIVE_UP_WARNING);
      expect(run.line?.elapsedMs).toBeLessThan(15_000);
    }
    expect(await readdir(f.cacheDir)).toEqual([`token_${f.key}.json`]);
  }, 60_000);

  test("a lock from another host created more than 30 s ago is taken over at once", async () => {
    const f = await cacheFixture();
    await ensureDir(f.cacheDir);
    await writeLock(f.lockFile, {
      pid: 4242,
      host: "another-host.invalid",
      createdAt: Date.now() - 31_000,
    });
    f.gw.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const runs = await storm({ count: 12, env: f.env });
    expect(new Set(tokensOf(runs)).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    for (const run of runs) expect(run.stderr).not.toContain(GIVE_UP_WARNING);
    expect(await readdir(f.cacheDir)).toEqual([`token_${f.key}.json`]);
  }, 60_000);

  test("a live lock from another host is waited on until it is 30 s old, then taken over", async () => {
    const f = await cacheFixture();
    await ensureDir(f.cacheDir);
    const createdAt = Date.now() - 27_500;
    await writeLock(f.lockFile, { pid: 4242, host: "another-host.invalid", createdAt });
    const runs = await storm({ count: 4, env: f.env });
    expect(new Set(tokensOf(runs)).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    const network = runs.find((r) => r.line?.source === "network");
    // The token request came only once the lock was stale (createdAt + 30 s).
    expect(Date.now()).toBeGreaterThanOrEqual(createdAt + 30_000);
    expect(network?.stderr).not.toContain(GIVE_UP_WARNING);
  }, 60_000);

  test("a lock whose createdAt lies an hour in the future (another host's clock) is stale at once", async () => {
    const f = await cacheFixture();
    await ensureDir(f.cacheDir);
    await writeLock(f.lockFile, {
      pid: 4242,
      host: "another-host.invalid",
      createdAt: Date.now() + 3_600_000,
    });
    const old = new Date(Date.now() - 31_000);
    await utimes(f.lockFile, old, old);
    const runs = await storm({ count: 4, env: f.env });
    expect(new Set(tokensOf(runs)).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    for (const run of runs) expect(run.stderr).not.toContain(GIVE_UP_WARNING);
  }, 60_000);

  test("an empty lock file (its creator died before writing it) is stale, not waited for", async () => {
    const f = await cacheFixture();
    await ensureDir(f.cacheDir);
    await writeFile(f.lockFile, "", { mode: 0o600 });
    const old = new Date(Date.now() - 31_000);
    await utimes(f.lockFile, old, old);
    const runs = await storm({ count: 4, env: f.env });
    expect(new Set(tokensOf(runs)).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    for (const run of runs) expect(run.stderr).not.toContain(GIVE_UP_WARNING);
  }, 60_000);

  test("a lock held by a live process is not taken: the caller waits its bound, then gets a token without it", async () => {
    const f = await cacheFixture();
    await ensureDir(f.cacheDir);
    // This test process is alive and on this host: its lock is never stale before 30 s.
    const owner = { pid: process.pid, host: hostname(), createdAt: Date.now() };
    await writeLock(f.lockFile, owner);
    const runs = await storm({ count: 1, env: { ...f.env, STORM_LOCK_GIVE_UP_MS: "1500" } });
    tokensOf(runs);
    expect(runs[0]?.line?.elapsedMs).toBeGreaterThanOrEqual(1_400);
    expect(runs[0]?.stderr).toContain(GIVE_UP_WARNING);
    expect(runs[0]?.stderr).not.toContain(CLIENT_KEY);
    expect(f.gw.stats().tokensIssued).toBe(1);
    // Still the owner's lock: waiting out the bound does not steal it.
    expect(JSON.parse(await readFile(f.lockFile, "utf8"))).toEqual(owner);
  }, 60_000);
});

async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}
