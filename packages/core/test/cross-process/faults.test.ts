/**
 * Storms against a failing gateway (5xx bursts, 429 with Retry-After, dropped connections,
 * latency past the timeout): every process ends with a token or a typed error, none hangs, none
 * has an unhandled rejection, and the cache file is never left corrupt.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cacheKey, createEnvConfig, parseCacheFile } from "../fixtures/internal-api.ts";
import {
  cleanup,
  clientEnv,
  describeRuns,
  gateway,
  leaked,
  type StormRun,
  storm,
  tempDir,
} from "./storm.ts";

afterEach(cleanup);

const SESSION = "/auth/session";
const TYPED = new Map([
  ["AuthSessionError", "AUTH_SESSION_ERROR"],
  ["AuthNetworkError", "AUTH_NETWORK_ERROR"],
]);

async function fixture(extraEnv: Record<string, string> = {}) {
  const cacheDir = join(await tempDir(), "cache");
  const gw = gateway();
  const env = clientEnv(gw, cacheDir, extraEnv);
  const key = cacheKey(createEnvConfig(env, { envFile: false }));
  return { gw, cacheDir, env, key, cacheFile: join(cacheDir, `token_${key}.json`) };
}

/**
 * Every run ended in time with exit 0 and a token, or exit 1 and a typed error; no unhandled
 * rejection, no client key in any output. Returns the runs that got a token.
 */
function expectTokenOrTypedError(runs: readonly StormRun[]): StormRun[] {
  const bad = runs.filter((r) => {
    if (r.timedOut || r.line === undefined || r.line.unhandled !== undefined) return true;
    if (r.code === 0) return typeof r.line.token !== "string";
    const error = r.line.error;
    return r.code !== 1 || error?.name === undefined || TYPED.get(error.name) !== error.code;
  });
  expect(bad.length === 0 ? "" : describeRuns(bad)).toBe("");
  expect(leaked(runs)).toEqual([]);
  return runs.filter((r) => r.code === 0);
}

/** The cache file is missing or valid, and no lock, guard or temp file is left behind. */
async function expectCleanCacheDir(f: { cacheDir: string; cacheFile: string }) {
  const names = await readdir(f.cacheDir).catch(() => [] as string[]);
  expect(names.filter((n) => !n.endsWith(".json"))).toEqual([]);
  if (names.length > 0) {
    const token = parseCacheFile(await readFile(f.cacheFile, "utf8"));
    expect(token).toMatchObject({ accessToken: expect.stringMatching(/^eyJ/) });
    expect(token?.expiresAt).toBeGreaterThan(Date.now() / 1000);
  }
}

describe("a storm against a failing gateway", () => {
  test("5xx burst, dropped connections, 429 with Retry-After and latency past the timeout on a cold cache: one token for all who got one, typed errors for the rest", async () => {
    const f = await fixture({ AUTH_TIMEOUT_MS: "600" });
    f.gw.setFaults([
      { kind: "latency", ms: 1_500, route: SESSION, count: 2 },
      { kind: "status", status: 503, route: SESSION, count: 3 },
      { kind: "drop", route: SESSION, count: 2 },
      { kind: "rate-limit", retryAfterSec: 1, route: SESSION, count: 1 },
    ]);
    const runs = await storm({ count: 16, env: f.env, timeoutMs: 45_000 });

    const ok = expectTokenOrTypedError(runs);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => r.line?.token)).size).toBe(1);
    expect(f.gw.stats().tokensIssued).toBe(1);
    expect(f.gw.stats().faultsInjected).toBe(8); // all used up
    expect(parseCacheFile(await readFile(f.cacheFile, "utf8"))?.accessToken).toBe(
      ok[0]?.line?.token as string,
    );
    await expectCleanCacheDir(f);
  }, 90_000);

  test("random faults while the cached token passes its refresh point: every process gets a token (the still-valid one when its refresh fails)", async () => {
    const f = await fixture({ AUTH_TIMEOUT_MS: "800", AUTH_MIN_TTL_SEC: "60" });
    const old = f.gw.issueToken({ ttlSec: 40 });
    await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
    await writeFile(
      f.cacheFile,
      JSON.stringify({ access_token: old, expires_at: Date.now() / 1000 + 40, expires_in: 40 }),
      { mode: 0o600 },
    );
    f.gw.setFaults([
      { kind: "latency", ms: 1_500, route: SESSION, rate: 0.2 },
      { kind: "status", status: 502, route: SESSION, rate: 0.3 },
      { kind: "drop", route: SESSION, rate: 0.15 },
      { kind: "rate-limit", retryAfterSec: 1, route: SESSION, rate: 0.1 },
    ]);
    const runs = await storm({ count: 16, env: f.env, timeoutMs: 45_000 });

    const ok = expectTokenOrTypedError(runs);
    expect(ok).toHaveLength(16);
    for (const run of ok) expect(["cache", "network", "stale"]).toContain(String(run.line?.source));
    const fresh = new Set(ok.map((r) => r.line?.token).filter((t) => t !== old));
    expect(fresh.size).toBeLessThanOrEqual(1);
    const final = parseCacheFile(await readFile(f.cacheFile, "utf8"));
    expect(final?.accessToken).toBe(fresh.size === 1 ? ([...fresh][0] as string) : old);
    await expectCleanCacheDir(f);
  }, 90_000);

  test("a 429 asking for longer than 30 s fails every process at once with a typed error that says how long, and writes nothing", async () => {
    const f = await fixture();
    f.gw.setFaults([{ kind: "rate-limit", retryAfterSec: 120, route: SESSION }]);
    const runs = await storm({ count: 8, env: f.env, timeoutMs: 30_000 });

    expect(expectTokenOrTypedError(runs)).toEqual([]);
    for (const run of runs) {
      expect(run.line?.error?.name).toBe("AuthSessionError");
      expect(run.line?.error?.message).toContain("HTTP 429");
      expect(run.line?.error?.message).toContain("120 s");
    }
    expect(f.gw.stats().tokensIssued).toBe(0);
    expect(await readdir(f.cacheDir)).toEqual([]);
  }, 60_000);

  test("a gateway that never answers in time: every process ends with a timeout error, none hangs", async () => {
    const f = await fixture({ AUTH_TIMEOUT_MS: "250" });
    f.gw.setFaults([{ kind: "latency", ms: 5_000, route: SESSION }]);
    const runs = await storm({ count: 2, env: f.env, timeoutMs: 40_000 });

    expect(expectTokenOrTypedError(runs)).toEqual([]);
    for (const run of runs) {
      expect(run.line?.error?.name).toBe("AuthNetworkError");
      expect(run.line?.error?.message).toContain("timed out after 250 ms");
    }
    await expectCleanCacheDir(f);
  }, 60_000);
});
