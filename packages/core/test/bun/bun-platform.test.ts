/** The Bun platform adapter: hashing and the POSIX file services the token store relies on. */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chown, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform as p } from "../../src/bun/bun-platform.ts";
import { MAX_CACHE_FILE_BYTES } from "../../src/cache/cache-file.ts";
import { parseTempName } from "../../src/platform/platform.ts";
import { writeTempFile } from "../../src/posix/posix-files.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-platform-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("bun platform", () => {
  test("sha256Hex matches node:crypto over UTF-8", () => {
    for (const text of ["", "abc", "https://gw\nck-\u00e9\u{1F600}"]) {
      expect(p.sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    }
  });

  test("process facts: pid, uid, hostname, liveness", () => {
    expect(p.pid()).toBe(process.pid);
    expect(p.uid()).toBe(process.getuid?.());
    expect(p.hostname().length).toBeGreaterThan(0);
    expect(p.isProcessAlive(process.pid)).toBe(true);
    // A pid far above any pid_max in use.
    expect(p.isProcessAlive(2 ** 30)).toBe(false);
  });

  test("readPrivateFile: ok, missing, and refused for a symlink, a directory, another user's file", async () => {
    const file = join(dir, "f.json");
    await writeFile(file, "content", { mode: 0o600 });
    expect(await p.readPrivateFile(file, MAX_CACHE_FILE_BYTES)).toEqual({
      status: "ok",
      text: "content",
    });
    expect(await p.readPrivateFile(join(dir, "absent"), MAX_CACHE_FILE_BYTES)).toEqual({
      status: "missing",
    });
    expect(await p.readPrivateFile(join(dir, "absent", "deeper"), MAX_CACHE_FILE_BYTES)).toEqual({
      status: "missing",
    });

    const link = join(dir, "link.json");
    await symlink(file, link);
    expect(await p.readPrivateFile(link, MAX_CACHE_FILE_BYTES)).toEqual({
      status: "refused",
      reason: "it is a symlink",
    });
    expect((await p.readPrivateFile(dir, MAX_CACHE_FILE_BYTES)).status).toBe("refused");

    // Another user's file: root gives ours away; anyone else reads one of root's.
    const theirs = process.getuid?.() === 0 ? file : "/etc/passwd";
    if (theirs === file) await chown(file, 65534, 65534);
    const theirOwner = (await lstat(theirs)).uid;
    expect(theirOwner).not.toBe(process.getuid?.());
    expect(await p.readPrivateFile(theirs, MAX_CACHE_FILE_BYTES)).toEqual({
      status: "refused",
      reason: `it is owned by another user (uid ${theirOwner})`,
    });
  });

  test("writeFileAtomic writes 0600 through a rename and leaves no temp file", async () => {
    const file = join(dir, "token.json");
    await p.writeFileAtomic(file, "one");
    await p.writeFileAtomic(file, "two");
    expect(await Bun.file(file).text()).toBe("two");
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["token.json"]);
  });

  test("writeFileAtomic replaces a symlink instead of writing through it", async () => {
    const target = join(dir, "target");
    await writeFile(target, "keep");
    const file = join(dir, "token.json");
    await symlink(target, file);
    await p.writeFileAtomic(file, "new");
    expect(await Bun.file(target).text()).toBe("keep");
    expect((await lstat(file)).isFile()).toBe(true);
  });

  test("createFileExclusive creates once, 0600", async () => {
    const file = join(dir, "x.lock");
    expect(await p.createFileExclusive(file, "a")).toBe(true);
    expect(await p.createFileExclusive(file, "b")).toBe(false);
    expect(await Bun.file(file).text()).toBe("a");
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
  });

  test("createFileExclusive: the file never exists without its content, and no temp file stays", async () => {
    // A lock seen empty is one its creator may still be writing, or one a killed creator left
    // behind: others must wait it out. A reader polling while locks are created must never see one.
    const content = JSON.stringify({ pid: 1, host: "h", createdAt: 0 });
    let empty = 0;
    for (let i = 0; i < 200; i++) {
      const path = join(dir, `lock-${i}`);
      let created = false;
      const creating = p.createFileExclusive(path, content).then((ok) => {
        created = ok;
      });
      while (!created) {
        const read = await p.readPrivateFile(path, MAX_CACHE_FILE_BYTES);
        if (read.status === "ok" && read.text !== content) empty++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await creating;
    }
    expect(empty).toBe(0);
    expect((await readdir(dir)).filter((name) => !name.startsWith("lock-"))).toEqual([]);
  });

  test("pathInfo sees a symlink as a symlink; removeFile ignores a missing file", async () => {
    await mkdir(join(dir, "d"));
    await symlink(join(dir, "d"), join(dir, "l"));
    expect((await p.pathInfo(join(dir, "d")))?.kind).toBe("directory");
    expect((await p.pathInfo(join(dir, "l")))?.kind).toBe("symlink");
    expect(await p.pathInfo(join(dir, "none"))).toBeUndefined();
    await p.removeFile(join(dir, "none"));
  });

  test("makeDirectory creates parents and a 0700 last component", async () => {
    const path = join(dir, "a", "b", "cache");
    await p.makeDirectory(path);
    await p.makeDirectory(path);
    expect((await lstat(path)).mode & 0o777).toBe(0o700);
  });

  test("readEnvFileSync: the text, missing when there is none, refused when the rule says so", async () => {
    await writeFile(join(dir, ".env"), "A=1\n", { mode: 0o600 });
    expect(p.readEnvFileSync(join(dir, ".env"))).toEqual({ status: "ok", text: "A=1\n" });
    expect(p.readEnvFileSync(join(dir, "none"))).toEqual({ status: "missing" });
    expect(p.readEnvFileSync(dir)).toEqual({
      status: "refused",
      reason: "it is a directory, not a regular file",
    });
  });

  test("readPrivateFile reads a file of exactly 64 KiB and refuses a larger one, naming the size", async () => {
    const file = join(dir, "f.json");
    await writeFile(file, "x".repeat(MAX_CACHE_FILE_BYTES), { mode: 0o600 });
    const read = await p.readPrivateFile(file, MAX_CACHE_FILE_BYTES);
    expect(read.status === "ok" && read.text.length).toBe(MAX_CACHE_FILE_BYTES);
    await writeFile(file, "x".repeat(MAX_CACHE_FILE_BYTES + 1), { mode: 0o600 });
    expect(await p.readPrivateFile(file, MAX_CACHE_FILE_BYTES)).toEqual({
      status: "refused",
      reason: "it is larger than 65536 bytes",
    });
  });

  test("readPrivateFile refuses a file over the limit its caller gives, whatever the cache limit", async () => {
    const file = join(dir, "small.json");
    await writeFile(file, "0123456789", { mode: 0o600 });
    expect(await p.readPrivateFile(file, 10)).toEqual({ status: "ok", text: "0123456789" });
    expect(await p.readPrivateFile(file, 9)).toEqual({
      status: "refused",
      reason: "it is larger than 9 bytes",
    });
  });

  test("temp files are named <target>.<pid>.<n>.<random>.tmp, 0600, and parseTempName reads them back", async () => {
    const temp = await writeTempFile(join(dir, "token_x.json"), "secret");
    expect((await lstat(temp)).mode & 0o777).toBe(0o600);
    const name = temp.slice(dir.length + 1);
    expect(parseTempName(name)).toEqual({ target: "token_x.json", pid: process.pid });
    expect(parseTempName("token_x.json")).toBeUndefined();
    expect(parseTempName("token_x.json.0.1.ab.tmp")).toBeUndefined();
  });

  test("listDirectory: the names, or [] for a missing dir", async () => {
    await writeFile(join(dir, "a"), "");
    expect(await p.listDirectory?.(dir)).toEqual(["a"]);
    expect(await p.listDirectory?.(join(dir, "none"))).toEqual([]);
  });
});
