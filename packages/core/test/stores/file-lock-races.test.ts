/**
 * The token lock when another process moves at the worst moment, seen in one process: the
 * platform under a `FileLock` is wrapped so that a test changes the files at the exact step a
 * race would (between a stat and a read, between judging a lock stale and holding the takeover
 * guard, between two looks at the guard). Where time matters, the clock is set by the test
 * (`setSystemTime`), so a 5 s guard or a boundary millisecond needs no waiting and no luck.
 */
import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { readFileSync } from "node:fs";
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
let guard: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-lock-races-"));
  path = join(dir, "token_0123456789abcdef0123456789abcdef.lock");
  guard = `${path}.takeover`;
});
afterEach(async () => {
  setSystemTime();
  await rm(dir, { recursive: true, force: true });
});

/** This test process, which wants the lock. */
const us: Platform = { ...bunPlatform, pid: () => process.pid, hostname: () => HOST };

const ownerText = (pid: number, createdAt = Date.now()) =>
  JSON.stringify({ pid, host: HOST, createdAt });

/** Writes a file as another process would have left it, `ageMs` old. */
async function plant(file: string, text: string, ageMs = 0) {
  await writeFile(file, text, { mode: 0o600 });
  if (ageMs !== 0) {
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }
}

const exists = (file: string) => Bun.file(file).exists();
const pidIn = async (file: string) =>
  (JSON.parse(await readFile(file, "utf8")) as { pid: number }).pid;

type Step = (file: string) => void | Promise<void>;

/** `us`, with a step run before each platform call of a kind (the other process's move). */
function racing(steps: { pathInfo?: Step; read?: Step; create?: Step; remove?: Step }): Platform {
  return {
    ...us,
    pathInfo: async (file) => {
      await steps.pathInfo?.(file);
      return us.pathInfo(file);
    },
    readPrivateFile: async (file, max) => {
      await steps.read?.(file);
      return us.readPrivateFile(file, max);
    },
    createFileExclusive: async (file, text) => {
      await steps.create?.(file);
      return us.createFileExclusive(file, text);
    },
    removeFile: async (file) => {
      await steps.remove?.(file);
      return us.removeFile(file);
    },
  };
}

/** A step that runs `fn` on the `nth` call (1-based) for `file` only. */
function onCall(file: () => string, nth: number, fn: () => void | Promise<void>): Step {
  let calls = 0;
  return async (at) => {
    if (at === file() && ++calls === nth) await fn();
  };
}

/** Stops the clock at a whole millisecond of now; `advance` moves it on. */
function freezeClock(): number {
  const now = Date.now();
  setSystemTime(new Date(now));
  return now;
}
const advance = (ms: number) => setSystemTime(new Date(Date.now() + ms));

/** Who held the guard (its pid, or null when none) each time the lock file was read or removed. */
function guardWatch() {
  const seen: (number | null)[] = [];
  const look = (file: string) => {
    if (file !== path) return;
    try {
      seen.push((JSON.parse(readFileSync(guard, "utf8")) as { pid?: number }).pid ?? -1);
    } catch {
      seen.push(null);
    }
  };
  return { seen, look };
}

describe("an attempt whose lock changes between its steps", () => {
  test("takes the lock when its holder lets go between our try and our look", async () => {
    await plant(path, ownerText(process.ppid));
    const lock = new FileLock(
      racing({
        pathInfo: onCall(
          () => path,
          1,
          () => rm(path),
        ),
      }),
      path,
    );
    expect(await lock.tryAcquire()).toBeFunction();
    expect(await pidIn(path)).toBe(process.pid);
  });

  test("takes the lock when its holder lets go between our stat and our read", async () => {
    await plant(path, ownerText(process.ppid));
    const lock = new FileLock(
      racing({
        read: onCall(
          () => path,
          1,
          () => rm(path),
        ),
      }),
      path,
    );
    expect(await lock.tryAcquire()).toBeFunction();
    expect(await pidIn(path)).toBe(process.pid);
  });

  test("reports the lock held when it is released and taken by another between our stat and our read", async () => {
    await plant(path, ownerText(process.ppid));
    let first = true;
    const platform: Platform = {
      ...us,
      pathInfo: async (file) => {
        if (file !== path || !first) return us.pathInfo(file);
        first = false;
        await rm(path);
        const info = await us.pathInfo(file);
        await plant(path, ownerText(process.ppid));
        return info;
      },
    };
    expect(await new FileLock(platform, path).tryAcquire()).toBeUndefined();
    expect(await pidIn(path)).toBe(process.ppid);
  });
});

describe("a takeover never removes a lock it did not judge", () => {
  test("a lock replaced by a live process after it was seen stale stays", async () => {
    await plant(path, ownerText(DEAD_PID));
    const replace = async () => {
      await rm(path);
      await plant(path, ownerText(process.ppid));
    };
    const lock = new FileLock(racing({ create: onCall(() => guard, 1, replace) }), path);
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await pidIn(path)).toBe(process.ppid);
  });

  test("a half-written new lock (empty, like the stale one it replaced) stays: its file time is fresh", async () => {
    await plant(path, "", 3_000);
    const replace = async () => {
      await rm(path);
      await plant(path, "");
    };
    const lock = new FileLock(racing({ create: onCall(() => guard, 1, replace) }), path);
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await readFile(path, "utf8")).toBe("");
  });

  test("a different lock found under the guard stays even when it is stale too: the next attempt judges it", async () => {
    await plant(path, ownerText(DEAD_PID));
    const replace = async () => {
      await rm(path);
      await plant(path, ownerText(DEAD_PID - 1));
    };
    const lock = new FileLock(racing({ create: onCall(() => guard, 1, replace) }), path);
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await pidIn(path)).toBe(DEAD_PID - 1);
    expect(await lock.tryAcquire()).toBeFunction();
  });

  test("a stale lock removed by another taker before we hold the guard leaves the path to us", async () => {
    await plant(path, ownerText(DEAD_PID));
    const lock = new FileLock(
      racing({
        create: onCall(
          () => guard,
          1,
          () => rm(path),
        ),
      }),
      path,
    );
    expect(await lock.tryAcquire()).toBeFunction();
    expect(await pidIn(path)).toBe(process.pid);
  });
});

describe("the takeover guard", () => {
  test("a guard a live process holds is never removed by an attempt", async () => {
    await plant(path, ownerText(DEAD_PID));
    await plant(guard, ownerText(process.ppid));
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
    expect(await pidIn(guard)).toBe(process.ppid);
    expect(await pidIn(path)).toBe(DEAD_PID);
  });

  test("an attempt blocked by a live guard returns at once, without waiting for the clock to move", async () => {
    freezeClock();
    await plant(path, ownerText(DEAD_PID));
    await plant(guard, ownerText(process.ppid));
    expect(await new FileLock(us, path).tryAcquire()).toBeUndefined();
  }, 2_000);

  test("a guard let go between our try and our look is simply tried again", async () => {
    await plant(guard, ownerText(process.ppid));
    const release = await new FileLock(
      racing({
        pathInfo: onCall(
          () => guard,
          1,
          () => rm(guard),
        ),
      }),
      path,
    ).tryAcquire();
    await release?.();
    expect(await exists(path)).toBe(false);
  });

  test("a stale guard let go between our two looks is not an error", async () => {
    await plant(path, ownerText(DEAD_PID));
    await plant(guard, ownerText(DEAD_PID));
    const lock = new FileLock(
      racing({
        pathInfo: onCall(
          () => guard,
          2,
          () => rm(guard),
        ),
      }),
      path,
    );
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await lock.tryAcquire()).toBeFunction();
  });

  test("a stale empty guard replaced by a fresh empty one (its writer mid-write) is left alone", async () => {
    await plant(path, ownerText(DEAD_PID));
    await plant(guard, "", 3_000);
    const replace = async () => {
      await rm(guard);
      await plant(guard, "");
    };
    const lock = new FileLock(racing({ pathInfo: onCall(() => guard, 2, replace) }), path);
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await exists(guard)).toBe(true);
    expect(await pidIn(path)).toBe(DEAD_PID);
  });

  test("a stale guard replaced by a live process's guard with the same file time is left alone", async () => {
    await plant(path, ownerText(DEAD_PID));
    const when = new Date(Date.now() - 1_000);
    await plant(guard, ownerText(DEAD_PID));
    await utimes(guard, when, when);
    const replace = async () => {
      await rm(guard);
      await plant(guard, ownerText(process.ppid));
      await utimes(guard, when, when);
    };
    const lock = new FileLock(racing({ pathInfo: onCall(() => guard, 2, replace) }), path);
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await pidIn(guard)).toBe(process.ppid);
    expect(await pidIn(path)).toBe(DEAD_PID);
  });
});

describe("a release", () => {
  test("reads and removes its lock only while holding the guard, which names this process", async () => {
    const watch = guardWatch();
    const release = await new FileLock(
      racing({ read: watch.look, remove: watch.look }),
      path,
    ).tryAcquire();
    await release?.();
    expect(await exists(path)).toBe(false);
    expect(watch.seen).toEqual([process.pid, process.pid]);
  });

  test("waits for a guard a live process holds for a while, then removes its lock under its own", async () => {
    await plant(guard, ownerText(process.ppid));
    const watch = guardWatch();
    const platform = racing({
      create: onCall(
        () => guard,
        3,
        () => rm(guard),
      ),
      read: watch.look,
      remove: watch.look,
    });
    const release = await new FileLock(platform, path).tryAcquire();
    await release?.();
    expect(await exists(path)).toBe(false);
    expect(watch.seen).toEqual([process.pid, process.pid]);
  });

  test("waits out a live process's guard until it is stale (5 s), then removes its lock under its own", async () => {
    freezeClock();
    await plant(guard, ownerText(process.ppid));
    const watch = guardWatch();
    const platform = racing({
      // Each try at the guard takes 0.7 s of the test's clock.
      create: (file) => {
        if (file === guard) advance(700);
      },
      read: watch.look,
      remove: watch.look,
    });
    const release = await new FileLock(platform, path).tryAcquire();
    await release?.();
    expect(await exists(path)).toBe(false);
    expect(watch.seen).toEqual([process.pid, process.pid]);
  });

  test("removes its lock unguarded when the guard cannot be cleared within its wait (6 s)", async () => {
    freezeClock();
    await plant(guard, ownerText(process.ppid));
    const platform: Platform = {
      ...racing({
        create: (file) => {
          if (file === guard) advance(700);
        },
      }),
      // The guard cannot be removed (a hostile hand, a broken file system).
      removeFile: async (file) => (file === guard ? undefined : us.removeFile(file)),
    };
    const release = await new FileLock(platform, path).tryAcquire();
    await release?.();
    expect(await exists(path)).toBe(false);
    expect(await pidIn(guard)).toBe(process.ppid);
  });

  test("called again never removes a lock this process took since, even one written in the same millisecond", async () => {
    freezeClock();
    const lock = new FileLock(us, path);
    const first = await lock.tryAcquire();
    await first?.();
    const second = await lock.tryAcquire();
    expect(second).toBeFunction();
    await first?.();
    expect(await exists(path)).toBe(true);
    await second?.();
    expect(await exists(path)).toBe(false);
  });
});

describe("the stale bounds are exact", () => {
  /** `us`, where the lock file's time reads as `mtimeMs`. */
  const lockTimeAt = (mtimeMs: number): Platform => ({
    ...us,
    pathInfo: async (file) => {
      const info = await us.pathInfo(file);
      return info && file === path ? { ...info, mtimeMs } : info;
    },
  });

  test("a live owner's lock exactly 2 s ahead of our clock is held", async () => {
    const now = freezeClock();
    await plant(path, ownerText(process.ppid, now + 2_000));
    expect(await new FileLock(lockTimeAt(now + 2_000), path).tryAcquire()).toBeUndefined();
    expect(await pidIn(path)).toBe(process.ppid);
  });

  test("a live owner's lock exactly as old as the stale bound is held", async () => {
    const now = freezeClock();
    await plant(path, ownerText(process.ppid, now - 10_000));
    const lock = new FileLock(lockTimeAt(now - 10_000), path, { staleMs: 10_000 });
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await pidIn(path)).toBe(process.ppid);
  });
});
