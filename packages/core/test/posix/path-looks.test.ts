/**
 * What the platform says of a path before the store trusts it (`pathInfo`, `listDirectory`), and
 * which failures of a look, a mkdir or an unlink are "nothing there" and which are errors the
 * store must hear. Real paths in a temp dir, in this process.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { lstatSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { posixServices as p } from "../../src/posix/posix-files.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-path-looks-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A symlink that names itself: any path through it fails with ELOOP. */
async function loop(): Promise<string> {
  const path = join(dir, "loop");
  await symlink("loop", path);
  return path;
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: { code?: string }) => error.code,
  );

test("pathInfo names each kind: a file, a directory, a symlink (not followed), a FIFO as other", async () => {
  const file = join(dir, "file");
  await writeFile(file, "x", { mode: 0o640 });
  const when = new Date(1_700_000_000_000);
  await utimes(file, when, when);
  await symlink(file, join(dir, "link"));
  const fifo = join(dir, "fifo");
  expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);

  expect(await p.pathInfo(file)).toEqual({
    kind: "file",
    uid: lstatSync(file).uid,
    mode: 0o640,
    mtimeMs: 1_700_000_000_000,
  });
  expect((await p.pathInfo(dir))?.kind).toBe("directory");
  expect((await p.pathInfo(join(dir, "link")))?.kind).toBe("symlink");
  expect((await p.pathInfo(fifo))?.kind).toBe("other");
});

test("pathInfo: nothing at a path under a regular file (ENOTDIR); a path it cannot look at is an error (ELOOP)", async () => {
  await writeFile(join(dir, "file"), "x");
  expect(await p.pathInfo(join(dir, "file", "below"))).toBeUndefined();
  expect(await codeOf(p.pathInfo(join(await loop(), "below")))).toBe("ELOOP");
});

test("listDirectory: no names in a missing dir or a regular file; a dir it cannot open is an error (ELOOP)", async () => {
  await writeFile(join(dir, "file"), "x");
  expect(await p.listDirectory?.(join(dir, "none"))).toEqual([]);
  expect(await p.listDirectory?.(join(dir, "file"))).toEqual([]);
  expect(await codeOf(Promise.resolve(p.listDirectory?.(join(await loop(), "below"))))).toBe(
    "ELOOP",
  );
});

test("makeDirectory accepts a dir that exists and fails on any other error (a name too long)", async () => {
  await mkdir(join(dir, "cache"));
  await p.makeDirectory(join(dir, "cache"));
  expect(await codeOf(p.makeDirectory(join(dir, "x".repeat(300))))).toBe("ENAMETOOLONG");
});

test("removeFile ignores a file already gone and fails on any other error (a directory: EISDIR)", async () => {
  await p.removeFile(join(dir, "gone"));
  await mkdir(join(dir, "d"));
  expect(await codeOf(p.removeFile(join(dir, "d")))).toBe("EISDIR");
});
