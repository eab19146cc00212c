/**
 * A lock's release removes only its own lock. A holder that stalls past the stale bound loses
 * its lock to another process; when it wakes and releases, the other process must still hold
 * the lock, or a third would take it too and two token requests would run at once.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const TAKER = join(import.meta.dir, "..", "fixtures", "lock-taker.ts");

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "openclaw-lock-release-")), "cache");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

/** A child process at the same lock; resolves once it has said whether it holds it. */
async function secondProcess() {
  const child = Bun.spawn([process.execPath, TAKER, dir, KEY], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const said = new TextDecoder().decode(value).trim();
  return {
    said,
    async release() {
      child.stdin.end();
      expect(await child.exited).toBe(0);
    },
  };
}

const store = () => new FileTokenStore(bunPlatform, { dir, onWarning: () => {} });
const lockPath = () => join(dir, `token_${KEY}.lock`);

test("a holder whose lock was taken over while it stalled releases nothing: the process that took it over still holds it", async () => {
  const release = await store().tryLock(KEY);
  expect(release).toBeFunction();
  // This holder stalls: its lock file now looks 60 s old, past the 30 s stale bound.
  const longAgo = new Date(Date.now() - 60_000);
  await utimes(lockPath(), longAgo, longAgo);

  const taker = await secondProcess();
  expect(taker.said).toMatch(/^held \d+$/);
  const takerPid = Number(taker.said.split(" ")[1]);
  expect(JSON.parse(await readFile(lockPath(), "utf8")).pid).toBe(takerPid);

  // The stalled holder wakes and releases: the lock stays the taker's.
  await release?.();
  expect(JSON.parse(await readFile(lockPath(), "utf8")).pid).toBe(takerPid);
  expect(await store().tryLock(KEY)).toBeUndefined();

  // The taker's own release frees it, leaving nothing behind.
  await taker.release();
  expect(await readdir(dir)).toEqual([]);
});

test("a live holder's lock is not taken over: the second process is told it is busy", async () => {
  const release = await store().tryLock(KEY);
  const other = await secondProcess();
  expect(other.said).toBe("busy");
  await other.release();
  expect(JSON.parse(await readFile(lockPath(), "utf8")).pid).toBe(process.pid);
  await release?.();
  expect(await readdir(dir)).toEqual([]);
});
