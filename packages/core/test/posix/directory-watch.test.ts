/**
 * The platform's watch of the cache dir (`watchDirectory`), which wakes a lock waiter when the
 * token or the lock changes: it names the file that changed, a closed watch tells nothing more,
 * and a watch never keeps a process alive. Real directories; the last test runs a child process,
 * which is given this process's environment (a mutation run's active mutant with it).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { posixServices as p } from "../../src/posix/posix-files.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-dir-watch-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A watch of `dir` that records the names it is told, and waits for one. */
function recorder() {
  const names: (string | undefined)[] = [];
  const waiters: { name: string; resolve: () => void }[] = [];
  const close = p.watchDirectory?.(dir, (name) => {
    names.push(name);
    for (const w of waiters.filter((w) => w.name === name)) w.resolve();
  });
  if (!close) throw new Error("watchDirectory did not start");
  const seen = (name: string) =>
    names.includes(name)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ name, resolve }));
  return { names, close, seen };
}

test("a file written in the watched dir is told by its name", async () => {
  const watch = recorder();
  try {
    await writeFile(join(dir, "token_x.json"), "{}");
    await watch.seen("token_x.json");
    expect(new Set(watch.names)).toEqual(new Set(["token_x.json"]));
  } finally {
    watch.close();
  }
});

test("a closed watch tells nothing more, while another watch of the dir still does", async () => {
  const closed = recorder();
  const open = recorder();
  try {
    await writeFile(join(dir, "first"), "");
    await Promise.all([closed.seen("first"), open.seen("first")]);
    closed.close();
    closed.close(); // a second close is no error
    const told = closed.names.length;
    await writeFile(join(dir, "second"), "");
    // The open watch hears of the second file: the closed one would have by now.
    await open.seen("second");
    expect(closed.names.length).toBe(told);
  } finally {
    open.close();
  }
});

test("a watch that cannot start (no such dir) is no watch", () => {
  expect(p.watchDirectory?.(join(dir, "none"), () => {})).toBeUndefined();
});

test("an open watch does not keep a process alive: a script that only watches ends at once", async () => {
  const source = new URL("../../src/posix/posix-files.ts", import.meta.url).pathname;
  const script = `const { posixServices } = await import(${JSON.stringify(source)});
if (!posixServices.watchDirectory(${JSON.stringify(dir)}, () => {})) process.exit(3);`;
  const child = Bun.spawn([process.execPath, "-e", script], {
    env: process.env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const ended = await Promise.race([child.exited, Bun.sleep(4_000).then(() => "still running")]);
  child.kill();
  expect(ended).toBe(0);
});
