/**
 * When one process may take another's token lock, seen in one process: two `FileLock`s at one
 * path, each on a platform that says it is another process (another pid, another host). The
 * cross-process tests show the same rules with real processes; here a mistake in the rules is
 * seen by the code under test itself (their children run their own copy of it).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import type { Platform } from "../../src/platform/platform.ts";
import { FileLock } from "../../src/stores/file-lock.ts";

/** A pid no process has: above Linux's pid_max. */
const DEAD_PID = 4_194_399;
const HOST = bunPlatform.hostname();

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-lock-rules-"));
  path = join(dir, "token_0123456789abcdef0123456789abcdef.lock");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The platform of a process with `pid` on `host`. */
const processAt = (pid: number, host = HOST): Platform => ({
  ...bunPlatform,
  pid: () => pid,
  hostname: () => host,
});

/** The platform of this test process, which wants the lock. */
const us = processAt(process.pid);

/** Sets a file's time `ageMs` in the past (or the future, for a negative age). */
async function age(file: string, ageMs: number) {
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
}

/** Writes a lock file as a process with this content would have left it. */
async function plant(content: unknown, ageMs = 0) {
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content), {
    mode: 0o600,
  });
  if (ageMs !== 0) await age(path, ageMs);
}

const owner = async () => JSON.parse(await readFile(path, "utf8")) as { pid: number };

describe("a held lock is left alone", () => {
  test("while its owner on this host is alive, however often we try", async () => {
    const held = await new FileLock(processAt(process.ppid), path).tryAcquire();
    expect(held).toBeFunction();
    for (let i = 0; i < 3; i++) expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
    expect((await owner()).pid).toBe(process.ppid);
  });

  test("when its owner is on another host, even with a pid that is dead here", async () => {
    expect(
      await new FileLock(processAt(DEAD_PID, "another-host"), path).tryAcquire(),
    ).toBeFunction();
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
    expect((await owner()).pid).toBe(DEAD_PID);
  });

  test("when its owner's pid is ours (a lock this process holds is not stale to it)", async () => {
    await plant({ pid: process.pid, host: HOST, createdAt: Date.now() });
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
  });

  test("when it names our own pid, even where our pid looks dead (another pid namespace)", async () => {
    await plant({ pid: DEAD_PID, host: HOST, createdAt: Date.now() });
    expect(await new FileLock(processAt(DEAD_PID), path).tryAcquire()).toBeUndefined();
  });

  test("while it is younger than the stale bound, which an option sets", async () => {
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() - 5_000 }, 5_000);
    expect(await new FileLock(us, path, { staleMs: 10_000 }).tryAcquire()).toBeUndefined();
    expect(await new FileLock(us, path, { staleMs: 4_000 }).tryAcquire()).toBeFunction();
  });

  test("while an unreadable lock is younger than 2 s (its writer may be mid-write)", async () => {
    await plant("", 500);
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
  });

  test("while its time is at most 2 s ahead of our clock (clocks of one host agree that far)", async () => {
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() + 1_000 }, -1_000);
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
  });
});

describe("a stale lock is taken over, and then held by us alone", () => {
  test("one whose owner on this host is dead", async () => {
    expect(await new FileLock(processAt(DEAD_PID), path).tryAcquire()).toBeFunction();
    const release = await new FileLock(us, path).tryAcquire();
    expect(release).toBeFunction();
    expect((await owner()).pid).toBe(process.pid);
    expect(await new FileLock(processAt(process.ppid), path).tryAcquire()).toBeUndefined();
  });

  test("one older than the stale bound (30 s), its owner alive or on another host", async () => {
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() }, 31_000);
    expect(await new FileLock(us, path).tryAcquire()).toBeFunction();
    await rm(path);
    await plant({ pid: 7, host: "another-host", createdAt: Date.now() - 31_000 });
    expect(await new FileLock(us, path).tryAcquire()).toBeFunction();
  });

  test("one whose creation time or file time lies more than 2 s in the future", async () => {
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() + 60_000 });
    expect(await new FileLock(us, path).tryAcquire()).toBeFunction();
    await rm(path);
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() }, -60_000);
    expect(await new FileLock(us, path).tryAcquire()).toBeFunction();
  });

  test("an unreadable one older than 2 s, far inside the stale bound", async () => {
    await plant("{not json", 3_000);
    expect(await new FileLock(us, path, { staleMs: 60_000 }).tryAcquire()).toBeFunction();
  });

  test.each([
    ["pid 0", { pid: 0, host: HOST, createdAt: Date.now() }],
    ["a negative pid", { pid: -5, host: HOST, createdAt: Date.now() }],
    ["a fractional pid", { pid: 1.5, host: HOST, createdAt: Date.now() }],
    ["a pid past 2^53", { pid: 2 ** 53, host: HOST, createdAt: Date.now() }],
    ["a pid as text", { pid: String(process.ppid), host: HOST, createdAt: Date.now() }],
    ["no host", { pid: process.ppid, createdAt: Date.now() }],
    ["a host that is no string", { pid: process.ppid, host: 1, createdAt: Date.now() }],
    ["no creation time", { pid: process.ppid, host: HOST }],
    ["a creation time as text", { pid: process.ppid, host: HOST, createdAt: "now" }],
    ["null", null],
  ])(
    "one that names no owner (%s) counts as unreadable: left alone under 2 s, taken after",
    async (_, content) => {
      await plant(content, 500);
      expect(await new FileLock(us, path, { staleMs: 60_000 }).tryAcquire()).toBeUndefined();
      await age(path, 3_000);
      expect(await new FileLock(us, path, { staleMs: 60_000 }).tryAcquire()).toBeFunction();
    },
  );

  test("a well-formed owner 3 s old is not unreadable: its live owner keeps it", async () => {
    await plant({ pid: process.ppid, host: HOST, createdAt: Date.now() - 3_000 }, 3_000);
    expect(await new FileLock(us, path, { staleMs: 60_000 }).tryAcquire()).toBeUndefined();
  });

  test("a takeover guard left by a crash is cleared by one attempt, and the next takes over", async () => {
    const guard = `${path}.takeover`;
    expect(await new FileLock(processAt(DEAD_PID), path).tryAcquire()).toBeFunction();
    await writeFile(guard, JSON.stringify({ pid: DEAD_PID, host: HOST, createdAt: Date.now() }));
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
    expect(await Bun.file(guard).exists()).toBe(false);
    expect(await new FileLock(us, path).tryAcquire()).toBeFunction();
    expect((await owner()).pid).toBe(process.pid);
  });

  test("a takeover guard a live process holds keeps the stale lock where it is", async () => {
    expect(await new FileLock(processAt(DEAD_PID), path).tryAcquire()).toBeFunction();
    await writeFile(
      `${path}.takeover`,
      JSON.stringify({ pid: process.ppid, host: HOST, createdAt: Date.now() }),
    );
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
    expect((await owner()).pid).toBe(DEAD_PID);
  });
});

describe("a release", () => {
  test("removes our lock, once; a second call does nothing", async () => {
    const release = await new FileLock(us, path).tryAcquire();
    await release?.();
    expect(await Bun.file(path).exists()).toBe(false);
    const other = await new FileLock(processAt(process.ppid), path).tryAcquire();
    expect(other).toBeFunction();
    await release?.();
    expect((await owner()).pid).toBe(process.ppid);
  });

  test("leaves a lock that another process has taken over in the meantime", async () => {
    const release = await new FileLock(us, path).tryAcquire();
    await age(path, 31_000);
    expect(await new FileLock(processAt(process.ppid), path).tryAcquire()).toBeFunction();
    await release?.();
    expect((await owner()).pid).toBe(process.ppid);
  });

  test("goes through a guard left by a dead process on this host", async () => {
    const release = await new FileLock(us, path).tryAcquire();
    await writeFile(
      `${path}.takeover`,
      JSON.stringify({ pid: DEAD_PID, host: HOST, createdAt: Date.now() }),
    );
    await release?.();
    expect(await Bun.file(path).exists()).toBe(false);
    expect(await Bun.file(`${path}.takeover`).exists()).toBe(false);
  });
});
