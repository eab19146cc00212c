/**
 * How the platform reads a cache, lock or discovery file (`readPrivateFile`), seen in this
 * process on real files: what it refuses and with which words, how far it reads, and that no
 * read leaves a descriptor open. The conformance suite's hostile files run these reads in child
 * processes; here a mistake in them is seen by the code under test itself.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_CACHE_FILE_BYTES } from "../../src/cache/cache-file.ts";
import { posixServices as p } from "../../src/posix/posix-files.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-private-reads-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (path: string) => p.readPrivateFile(path, MAX_CACHE_FILE_BYTES);

/** A listening Unix socket at `path`, closed by the returned function. */
async function socketAt(path: string): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

test("a socket planted at the path is refused, naming the error of its open (ENXIO)", async () => {
  const path = join(dir, "token_x.json");
  const close = await socketAt(path);
  try {
    expect(await read(path)).toEqual({ status: "refused", reason: "cannot read it (ENXIO)" });
  } finally {
    await close();
  }
});

test("a file this process may not open is refused, naming EACCES, whoever runs it", async () => {
  // Write-only for its owner, root: /proc/sys refuses a read even to root (it ignores
  // CAP_DAC_OVERRIDE), so the open fails the same way in every setting.
  const path = "/proc/sys/vm/drop_caches";
  expect(statSync(path).mode & 0o777).toBe(0o200);
  expect(await read(path)).toEqual({ status: "refused", reason: "cannot read it (EACCES)" });
});

test("a regular file of ours whose read fails (EIO) is refused, naming EIO, and nothing throws", async () => {
  // /proc/self/mem: a regular file of this process's user, 0600, 0 bytes by its fstat, whose read
  // at offset 0 (an unmapped address) fails with EIO: a disk error, as a read sees one.
  const path = "/proc/self/mem";
  expect(statSync(path).isFile()).toBe(true);
  expect(await read(path)).toEqual({ status: "refused", reason: "cannot read it (EIO)" });
});

test("a file that says it is smaller than it is is read to its size and one byte more, no further", async () => {
  // /proc/self/status says 0 bytes and holds a kilobyte or more: as a file that grew after its
  // fstat (only a hostile one does), it gives one byte, which then fails to parse as JSON.
  const path = "/proc/self/status";
  expect(statSync(path).size).toBe(0);
  expect(await read(path)).toEqual({ status: "ok", text: "N" });
});

test("no read leaves a file descriptor open: read, missing, refused by its type, by its size, failing", async () => {
  const file = join(dir, "token_x.json");
  await writeFile(file, '{"a":1}', { mode: 0o600 });
  const big = join(dir, "big.json");
  await writeFile(big, "x".repeat(MAX_CACHE_FILE_BYTES + 1), { mode: 0o600 });
  const link = join(dir, "link.json");
  await symlink(file, link);
  const paths = [file, big, link, dir, join(dir, "absent"), "/proc/self/mem", "/proc/self/status"];
  const openFds = () => readdirSync("/proc/self/fd").length;
  const before = openFds();
  for (let i = 0; i < 20; i++) for (const path of paths) await read(path);
  // 140 reads; a leak of one descriptor each would show as 100 or more.
  expect(openFds() - before).toBeLessThan(10);
});
