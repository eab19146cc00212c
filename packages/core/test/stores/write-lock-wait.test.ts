/**
 * How long a cache write waits for `token_<key>.write.lock` held by another writer: a lock 5 s
 * old was left by a crash and is taken over; short of that the write waits, and at 6 s it writes
 * without the lock rather than hang. The clock is the test's (`setSystemTime`), so 5 and 6 s
 * need no waiting; the writer's pauses between tries are real and short.
 */
import { afterEach, beforeEach, expect, setSystemTime, test } from "bun:test";
import { utimesSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN = { accessToken: "t-after-the-wait", expiresAt: 2_000_000_000, expiresIn: 900 };

let root: string;
let dir: string;
let lock: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-write-lock-"));
  dir = join(root, "cache");
  lock = join(dir, `token_${KEY}.write.lock`);
  await mkdir(dir, { mode: 0o700 });
});
afterEach(async () => {
  setSystemTime();
  await rm(root, { recursive: true, force: true });
});

/** Stops the clock at a whole millisecond of now. */
function freezeClock(): number {
  const now = Date.now();
  setSystemTime(new Date(now));
  return now;
}

/**
 * Plants the write lock of a live writer on this host (our parent), born at `atMs`; at once
 * (no await), so the writer never sees a half-planted lock.
 */
function liveWriterLock(atMs: number) {
  const owner = { pid: process.ppid, host: bunPlatform.hostname(), createdAt: atMs };
  writeFileSync(lock, JSON.stringify(owner), { mode: 0o600 });
  utimesSync(lock, new Date(atMs), new Date(atMs));
}

/** A store on Bun's platform that counts its looks at the write lock (one or more a try). */
function countingStore() {
  let tries = 0;
  const waiters: { at: number; resolve: () => void }[] = [];
  const store = new FileTokenStore(
    {
      ...bunPlatform,
      pathInfo: async (path) => {
        const info = await bunPlatform.pathInfo(path);
        if (path === lock) {
          tries++;
          for (const w of waiters.filter((w) => tries >= w.at)) w.resolve();
        }
        return info;
      },
    },
    { dir, onWarning: () => {} },
  );
  /** Resolves once `more` looks were made from now. */
  const tried = (more: number) =>
    new Promise<void>((resolve) => waiters.push({ at: tries + more, resolve }));
  return { store, tried };
}

/** "written", or "still waiting" when the writer looked at the lock `tries` more times first. */
const outcome = (writing: Promise<unknown>, tried: Promise<void>) =>
  Promise.race([writing.then(() => "written"), tried.then(() => "still waiting")]);

const tokenFile = () => join(dir, `token_${KEY}.json`);

test("a write waits for a live writer's lock 4.5 s old, then takes it over once it is 5 s old", async () => {
  const start = freezeClock();
  liveWriterLock(start);
  const { store, tried } = countingStore();
  const firstTry = tried(1);
  const writing = store.set(KEY, TOKEN);
  await firstTry;
  setSystemTime(new Date(start + 4_500));
  expect(await outcome(writing, tried(3))).toBe("still waiting");
  expect(await readdir(dir)).not.toContain(`token_${KEY}.json`);

  setSystemTime(new Date(start + 5_001));
  expect(await outcome(writing, tried(30))).toBe("written");
  expect(JSON.parse(await readFile(tokenFile(), "utf8")).access_token).toBe("t-after-the-wait");
  // Taken over, then released: the crashed writer's lock is gone.
  expect(await readdir(dir)).toEqual([`token_${KEY}.json`]);
});

test("a write gives up on a lock it cannot have at 6 s, to the millisecond, and writes without it", async () => {
  const start = freezeClock();
  liveWriterLock(start);
  const { store, tried } = countingStore();
  const firstTry = tried(1);
  const writing = store.set(KEY, TOKEN);
  await firstTry;
  // The clock reaches the write's give-up time exactly, and the lock is renewed then (a new
  // writer took it 0.1 s ago), so it is never stale. Both at once: no try sees one without the other.
  setSystemTime(new Date(start + 6_000));
  liveWriterLock(start + 5_900);
  expect(await outcome(writing, tried(30))).toBe("written");
  expect(JSON.parse(await readFile(tokenFile(), "utf8")).access_token).toBe("t-after-the-wait");
  // The other writer's lock is left to it.
  expect(JSON.parse(await readFile(lock, "utf8")).pid).toBe(process.ppid);
});
