/**
 * How the platform writes a cache file (`writeFileAtomic`: a temp file renamed into place) and
 * creates a lock (`createFileExclusive`: a temp file linked into place), seen in this process on
 * real files: a temp file swept from under the write (by a `clear`, or by a process on another
 * host sharing the dir) is written once more, and only once; a write that fails on a full disk
 * leaves nothing behind, not even part of a token.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, unlinkSync, watch } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { posixServices as p } from "../../src/posix/posix-files.ts";
import { inUserNamespace, runInUserNamespace } from "../fixtures/another-user.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-file-writes-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Write = (path: string, text: string) => Promise<unknown>;
const WRITES: [string, Write][] = [
  ["a cache write (temp file, then rename)", (path, text) => p.writeFileAtomic(path, text)],
  ["a lock's creation (temp file, then link)", (path, text) => p.createFileExclusive(path, text)],
];

/**
 * Runs `write(path)` while a sweeper, looking at the dir at every turn of the event loop, removes
 * the first `sweeps` temp files it finds. Resolves to the write's outcome and how many temp files
 * were swept before they landed: after a sweep, `path` still missing means the rename or link
 * had not happened, and now cannot (a link leaves the temp name until it is removed, so a sweep
 * may also come after it). Whether a sweep comes in time is up to the scheduler; what a write
 * must do in each case is not, and that is what the tests check.
 */
async function underSweeper(path: string, write: () => Promise<unknown>, sweeps: number) {
  let swept = 0;
  let sweptInTime = 0;
  let over = false;
  const sweep = () => {
    if (over) return;
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(".tmp") || swept >= sweeps) continue;
      try {
        unlinkSync(join(dir, name));
        swept++;
        if (!existsSync(path)) sweptInTime++;
      } catch {}
    }
    setImmediate(sweep);
  };
  setImmediate(sweep);
  try {
    const outcome = await write().then(
      () => "written",
      (error: { code?: string }) => error.code ?? "error",
    );
    return { outcome, sweptInTime };
  } finally {
    over = true;
  }
}

describe.each(WRITES)("%s", (_name, write) => {
  test("whose temp file is swept before it lands is written once more, and lands", async () => {
    // Writes until three were swept in time (most are), or fifty.
    for (let i = 0, inTime = 0; i < 50 && inTime < 3; i++) {
      const path = join(dir, `token_${i}.json`);
      const { outcome, sweptInTime } = await underSweeper(path, () => write(path, `text ${i}`), 1);
      expect(outcome).toBe("written");
      expect(await readFile(path, "utf8")).toBe(`text ${i}`);
      if (sweptInTime === 1) inTime++;
    }
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  test("whose temp files are swept again and again fails with ENOENT after its second try, and writes nothing", async () => {
    // Both tries' temp files swept in time: the write fails (ENOENT), with no third try and no
    // write some other way. A write whose sweeper came too late lands. Writes until three were
    // swept in time twice, or fifty.
    for (let i = 0, inTime = 0; i < 50 && inTime < 3; i++) {
      const path = join(dir, `token_${i}.json`);
      const { outcome, sweptInTime } = await underSweeper(path, () => write(path, "text"), 2);
      if (sweptInTime === 2) {
        inTime++;
        expect(outcome).toBe("ENOENT");
        expect(existsSync(path)).toBe(false);
      } else {
        expect(outcome).toBe("written");
        expect(await readFile(path, "utf8")).toBe("text");
      }
    }
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

test("a cache write onto a directory fails with EISDIR at its first try, which no second try could mend", async () => {
  const target = join(dir, "token_x.json");
  await mkdir(join(target, "inside"), { recursive: true });
  // Every temp file the write makes, heard from the dir's watch; a marker file written after
  // the write says that the watch has told everything before it.
  const temps = new Set<string>();
  let markerSeen: () => void = () => {};
  const marker = new Promise<void>((resolve) => {
    markerSeen = resolve;
  });
  const watcher = watch(dir, (_event, name) => {
    if (name?.endsWith(".tmp")) temps.add(name);
    if (name === "marker") markerSeen();
  });
  try {
    const outcome = await p.writeFileAtomic(target, "text").then(
      () => "written",
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe("EISDIR");
    await writeFile(join(dir, "marker"), "");
    await marker;
    expect(temps.size).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["marker", "token_x.json"]);
  } finally {
    watcher.close();
  }
});

// The tmpfs is mounted in a user and mount namespace of the test's own (another-user.ts), where
// any user may mount one: the same test as root and as anyone else. The child is given this
// process's environment.
const FULL_DISK =
  "on a full disk (ENOSPC) a cache write and a lock's creation fail with ENOSPC and leave no file, not even a temp file";
test(FULL_DISK, async () => {
  if (!inUserNamespace) {
    const child = await runInUserNamespace(import.meta.path, FULL_DISK);
    expect(child.output).toContain(" 1 pass");
    expect(child.output).toContain(" 0 fail");
    expect(child.code).toBe(0);
    return;
  }
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir], {
    encoding: "utf8",
  });
  expect(mounted.stderr).toBe("");
  expect(mounted.status).toBe(0);
  try {
    await mkdir(join(dir, "cache"));
    const filler = await open(join(dir, "filler"), "w");
    try {
      for (;;) await filler.write(new Uint8Array(4096));
    } catch (error) {
      expect((error as { code?: string }).code).toBe("ENOSPC");
    } finally {
      await filler.close();
    }
    const token = JSON.stringify({ accessToken: "t".repeat(2000), expiresAt: 1 });
    for (const [, write] of WRITES) {
      const outcome = await write(join(dir, "cache", "token_x.json"), token).then(
        () => "written",
        (error: { code?: string }) => error.code,
      );
      expect(outcome).toBe("ENOSPC");
      expect(await readdir(join(dir, "cache"))).toEqual([]);
    }
  } finally {
    spawnSync("umount", ["-l", dir]);
  }
});
