/** Hostile files: locks from the future, huge cache files, temp files left by failed or killed writes. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  CLIENT_KEY,
  documentedCacheKey,
  type Fixture,
  it,
  nowSec,
  requestsTo,
  timed,
  withFixture,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** The warning of a caller that waited out the whole lock bound (15 s). */
const GAVE_UP = "going on without it";
/** An hour ahead: no clock slack explains it. */
const FUTURE_MS = 3_600_000;

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly createdAt: number;
}

/** A process that is alive for the whole test, but not this one: the runner that started us. */
const liveOwnerHere = (createdAt: number): Owner => ({
  pid: process.ppid,
  host: hostname(),
  createdAt,
});
/** A live owner on another machine sharing the directory: its pid says nothing here. */
const liveOwnerElsewhere = (createdAt: number): Owner => ({
  pid: 1,
  host: "another-host.invalid",
  createdAt,
});

/** The pid of a process that has exited (and been reaped) by the time this returns. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""], { stdio: "ignore" });
  assert.ok(child.pid && child.pid > 0);
  return child.pid;
}

function pathsOf(f: Fixture) {
  const key = documentedCacheKey(f.config.authBase, CLIENT_KEY);
  const file = (suffix: string) => join(f.cacheDir, `token_${key}${suffix}`);
  return {
    key,
    cache: file(".json"),
    lock: file(".lock"),
    lockGuard: file(".lock.takeover"),
    writeLock: file(".write.lock"),
    writeLockGuard: file(".write.lock.takeover"),
    /** A temp file name of the cache file as a writer with `pid` makes it. */
    cacheTemp: (pid: number, n = 1) => file(`.json.${pid}.${n}.k3x9qz.tmp`),
  };
}

/** Writes a lock-shaped file into the (created) cache dir, with its file time at `mtimeMs`. */
async function plant(f: Fixture, path: string, text: string, mtimeMs = Date.now()): Promise<void> {
  await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
  await writeFile(path, text, { mode: 0o600 });
  const time = new Date(mtimeMs);
  await utimes(path, time, time);
}

export function hostileFilesSuite(h: Harness): void {
  const { api } = h;

  /**
   * A cold token with `planted` in the cache dir: one token request, from the network, no
   * wait of the lock bound, and nothing but the cache file left. Returns how long it took.
   */
  async function coldTokenPast(f: Fixture): Promise<number> {
    const { ms, value: info } = await timed(() =>
      api.getAccessTokenInfo({ tokenManager: f.manager() }),
    );
    assert.equal(info.source, "network");
    assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
    assert.deepEqual(
      f.warnings.filter((w) => w.includes(GAVE_UP)),
      [],
    );
    const { key } = pathsOf(f);
    assert.deepEqual(await readdir(f.cacheDir), [`token_${key}.json`]);
    return ms;
  }

  h.t.describe("hostile files", () => {
    // The token lock: before, such a lock was never stale and every cold token waited the
    // whole 15 s bound.
    it(
      h,
      "a token lock whose file time lies in the future is stale: a cold token at once, one token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { lock } = pathsOf(f);
          const owner = JSON.stringify(liveOwnerHere(Date.now()));
          await plant(f, lock, owner, Date.now() + FUTURE_MS);
          assert.ok((await coldTokenPast(f)) < 5_000);
        });
      },
    );

    it(
      h,
      "a token lock whose createdAt lies in the future is stale: a cold token at once, one token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { lock } = pathsOf(f);
          await plant(f, lock, JSON.stringify(liveOwnerElsewhere(Date.now() + FUTURE_MS)));
          assert.ok((await coldTokenPast(f)) < 5_000);
        });
      },
    );

    it(
      h,
      "an empty token lock is stale after 2 s, not 30 s: a cold token without waiting out the lock bound",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { lock } = pathsOf(f);
          await plant(f, lock, "");
          assert.ok((await coldTokenPast(f)) < 8_000);
        });
      },
    );

    it(
      h,
      "a token lock larger than 64 KiB is not read: judged as unreadable, it is stale after 2 s",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { lock } = pathsOf(f);
          // A live owner's lock, padded: read whole, it would hold every caller for 15 s.
          const owner = JSON.stringify(liveOwnerElsewhere(Date.now() - 3_000));
          await plant(f, lock, owner + " ".repeat(70_000), Date.now() - 3_000);
          assert.ok((await coldTokenPast(f)) < 5_000);
        });
      },
    );

    // The write lock: before, a write waited 6 s for it, then wrote anyway and left it there.
    it(
      h,
      "a write lock whose file time lies in the future is stale: the token is written at once and the lock taken over",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { writeLock } = pathsOf(f);
          const owner = JSON.stringify(liveOwnerElsewhere(Date.now()));
          await plant(f, writeLock, owner, Date.now() + FUTURE_MS);
          assert.ok((await coldTokenPast(f)) < 3_000);
        });
      },
    );

    it(
      h,
      "a write lock whose createdAt lies in the future is stale: the token is written at once",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { writeLock } = pathsOf(f);
          await plant(f, writeLock, JSON.stringify(liveOwnerHere(Date.now() + FUTURE_MS)));
          // Before: stale only once 5 s old by its file time.
          assert.ok((await coldTokenPast(f)) < 2_000);
        });
      },
    );

    // The takeover guard: every release of a lock takes it. Before, one from the future held
    // each release for 6 s and stayed forever.
    it(
      h,
      "a takeover guard whose file time lies in the future is stale: the lock is released at once and the guard removed",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { lockGuard } = pathsOf(f);
          const owner = JSON.stringify(liveOwnerHere(Date.now()));
          await plant(f, lockGuard, owner, Date.now() + FUTURE_MS);
          assert.ok((await coldTokenPast(f)) < 3_000);
        });
      },
    );

    it(
      h,
      "a takeover guard of the write lock whose createdAt lies in the future is stale: no release waits for it",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { writeLockGuard } = pathsOf(f);
          await plant(
            f,
            writeLockGuard,
            JSON.stringify(liveOwnerElsewhere(Date.now() + FUTURE_MS)),
          );
          // Before: stale only once 5 s old by its file time.
          assert.ok((await coldTokenPast(f)) < 2_000);
        });
      },
    );

    it(
      h,
      "a cache file larger than 64 KiB is not read: a miss, the token fetched and the file replaced",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { cache } = pathsOf(f);
          const planted = { access_token: "planted-token", expires_at: nowSec() + 3600 };
          await plant(f, cache, JSON.stringify(planted) + " ".repeat(70_000));
          const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(info.source, "network");
          assert.notEqual(info.accessToken, "planted-token");
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
          assert.ok((await stat(cache)).size < 4_096);
          const written = JSON.parse(await readFile(cache, "utf8")) as { access_token: string };
          assert.equal(written.access_token, info.accessToken);
        });
      },
    );

    it(
      h,
      "a write removes temp files of dead writers and ones older than a minute, and keeps a live writer's fresh one",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { key, cacheTemp } = pathsOf(f);
          const leftover = JSON.stringify({ access_token: "left-by-a-killed-writer" });
          const dead = cacheTemp(deadPid());
          await plant(f, dead, leftover);
          const old = cacheTemp(process.ppid, 2);
          await plant(f, old, leftover, Date.now() - 120_000);
          const live = cacheTemp(process.ppid, 3);
          await plant(f, live, leftover);
          // Another config's dead temp file in the same dir goes too: the sweep is per dir.
          const other = join(f.cacheDir, `token_${"0".repeat(32)}.json.${deadPid()}.7.ab.tmp`);
          await plant(f, other, leftover);
          await api.getAccessTokenInfo({ tokenManager: f.manager() });
          const names = (await readdir(f.cacheDir)).sort();
          assert.deepEqual(names, [`token_${key}.json`, live.slice(f.cacheDir.length + 1)].sort());
        });
      },
    );

    it(
      h,
      "clearCachedToken removes the cache file's temp files too, whoever wrote them",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { cacheTemp } = pathsOf(f);
          await api.getAccessToken({ config: f.config });
          const leftover = JSON.stringify({ access_token: "left-by-a-killed-writer" });
          await plant(f, cacheTemp(deadPid()), leftover);
          await plant(f, cacheTemp(process.ppid, 2), leftover);
          await api.clearCachedToken({ config: f.config });
          assert.deepEqual(await readdir(f.cacheDir), []);
        });
      },
    );
  });
}
