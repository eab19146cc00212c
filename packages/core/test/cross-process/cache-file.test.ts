/**
 * The cache file and the lock under many processes at once: readers never see a partial file,
 * an older token never replaces a newer one, and the lock never has two live owners.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { cacheKey, createEnvConfig, parseCacheFile } from "../fixtures/internal-api.ts";
import { baseEnv, CLIENT_KEY, cleanup, describeRuns, leaked, storm, tempDir } from "./storm.ts";

afterEach(cleanup);

async function fixture() {
  const cacheDir = join(await tempDir(), "cache");
  // These clients never reach a gateway; the URL only makes a valid config.
  const env = {
    ...baseEnv(),
    AUTH_BASE: "http://127.0.0.1:9",
    CLIENT_KEY,
    AUTH_CACHE_DIR: cacheDir,
  };
  const key = cacheKey(createEnvConfig(env, { envFile: false }));
  return { cacheDir, env, key, cacheFile: join(cacheDir, `token_${key}.json`) };
}

interface WriterLine {
  writes: number;
  last: { token: string; expiresAt: number };
}
interface ReaderLine {
  reads: number;
  hits: number;
  misses: number;
  corrupt: string[];
  regressions: number;
}

describe("one cache file, many processes", () => {
  test("16 writers and 16 readers for 3 s: every read parses or is a miss, no read goes back to an older token, and the final file holds the newest", async () => {
    const f = await fixture();
    const WRITERS = 16;
    const runs = await storm({
      count: 32,
      command: (i) => (i < WRITERS ? "write" : "read"),
      env: (i) => ({
        ...f.env,
        STORM_DURATION_MS: "3000",
        STORM_WRITER_INDEX: String(i),
        STORM_WRITERS: String(WRITERS),
      }),
      timeoutMs: 40_000,
    });
    const failed = runs.filter((r) => r.code !== 0 || r.line === undefined);
    expect(failed.length === 0 ? "" : describeRuns(failed)).toBe("");

    const writers = runs.slice(0, WRITERS).map((r) => r.line as unknown as WriterLine);
    const readers = runs.slice(WRITERS).map((r) => r.line as unknown as ReaderLine);
    for (const w of writers) expect(w.writes).toBeGreaterThan(0);
    for (const r of readers) {
      expect(r.corrupt).toEqual([]);
      expect(r.regressions).toBe(0);
      expect(r.reads).toBe(r.hits + r.misses);
    }
    expect(readers.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(0);

    const newest = writers.map((w) => w.last).reduce((a, b) => (b.expiresAt > a.expiresAt ? b : a));
    const final = parseCacheFile(await readFile(f.cacheFile, "utf8"));
    expect(final).toEqual({
      accessToken: newest.token,
      expiresAt: newest.expiresAt,
      expiresIn: 900,
    });
    // No temp file, write lock or guard is left behind.
    expect(await readdir(f.cacheDir)).toEqual([`token_${f.key}.json`]);
    expect(leaked(runs)).toEqual([]);
  }, 90_000);

  test("12 processes taking and releasing the lock for 2.5 s, while 4 others die holding it, never have two live owners", async () => {
    const f = await fixture();
    const runs = await storm({
      count: 16,
      command: "lock-stress",
      env: (i) => ({
        ...f.env,
        STORM_DURATION_MS: "2500",
        ...(i >= 12 ? { STORM_CRASH: "1", STORM_DELAY_MS: String(300 + (i - 12) * 450) } : {}),
      }),
      timeoutMs: 40_000,
    });
    const stressers = runs.slice(0, 12);
    const crashers = runs.slice(12);
    const failed = stressers.filter((r) => r.code !== 0 || r.line === undefined);
    expect(failed.length === 0 ? "" : describeRuns(failed)).toBe("");
    // Each crasher got the lock and was killed holding it (no line, killed by a signal).
    for (const crasher of crashers) {
      expect(crasher.timedOut).toBe(false);
      expect(crasher.line).toBeUndefined();
      expect(crasher.code).not.toBe(0);
    }
    const lines = stressers.map(
      (r) => r.line as unknown as { acquired: number; violations: number },
    );
    expect(lines.reduce((n, l) => n + l.violations, 0)).toBe(0);
    // The lock kept changing hands, also after each crash.
    expect(lines.reduce((n, l) => n + l.acquired, 0)).toBeGreaterThan(50);
    // Nobody died inside a takeover guard, so none is left.
    expect((await readdir(f.cacheDir)).filter((name) => name.endsWith(".takeover"))).toEqual([]);
  }, 90_000);
});
