/** FileTokenStore and MemoryTokenStore: the TokenStore contract on files and in memory. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { FileLock } from "../../src/stores/file-lock.ts";
import {
  createFileTokenStore,
  FileTokenStore,
  MemoryTokenStore,
  type Platform,
} from "../fixtures/internal-api.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const token = (accessToken: string, expiresAt: number) => ({
  accessToken,
  expiresAt,
  expiresIn: 900,
});

let root: string;
let warnings: string[];
const store = (dir = join(root, "cache")) =>
  createFileTokenStore(dir, (message) => warnings.push(message));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-store-"));
  warnings = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("FileTokenStore", () => {
  test("get on a missing dir is a miss and creates nothing", async () => {
    expect(await store().get(KEY)).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  test("set creates the dir 0700 and token_<key>.json 0600; get reads it back", async () => {
    const s = store();
    await s.set(KEY, token("a", 2_000_000_000));
    const path = join(root, "cache", `token_${KEY}.json`);
    expect(s.describe(KEY)).toBe(path);
    expect((await lstat(join(root, "cache"))).mode & 0o777).toBe(0o700);
    expect((await lstat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      access_token: "a",
      expires_at: 2_000_000_000,
      expires_in: 900,
    });
    expect(await store().get(KEY)).toEqual(token("a", 2_000_000_000));
  });

  test("set keeps a stored token that expires later; delete removes it", async () => {
    const s = store();
    await s.set(KEY, token("later", 2_000_000_100));
    await s.set(KEY, token("sooner", 2_000_000_000));
    expect((await s.get(KEY))?.accessToken).toBe("later");
    await s.delete(KEY);
    await s.delete(KEY);
    expect(await s.get(KEY)).toBeUndefined();
  });

  test("delete removes the key's cache temp files only: not another key's, not a lock's", async () => {
    const s = store();
    await s.set(KEY, token("t", 2_000_000_000));
    const dir = join(root, "cache");
    const other = "f".repeat(32);
    const names = [
      `token_${KEY}.json.${process.pid}.1.ab.tmp`,
      `token_${other}.json.${process.pid}.2.ab.tmp`,
      `token_${KEY}.lock.${process.pid}.3.ab.tmp`,
    ];
    for (const name of names) await writeFile(join(dir, name), "x", { mode: 0o600 });
    await s.delete(KEY);
    expect((await readdir(dir)).sort()).toEqual(names.slice(1).sort());
  });

  test("a symlinked dir is not used: misses, no writes, one warning", async () => {
    await mkdir(join(root, "real"), { mode: 0o700 });
    await symlink(join(root, "real"), join(root, "cache"));
    const s = store();
    await s.set(KEY, token("a", 2_000_000_000));
    await s.set(KEY, token("b", 2_000_000_000));
    expect(await s.get(KEY)).toBeUndefined();
    expect(await readdir(join(root, "real"))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("symlink");
    const release = await s.tryLock(KEY);
    expect(release).toBeFunction();
  });

  test("a first get through a symlinked dir misses the token file behind it, with a warning", async () => {
    await mkdir(join(root, "real"), { mode: 0o700 });
    await store(join(root, "real")).set(KEY, token("behind-the-link", 2_000_000_000));
    await symlink(join(root, "real"), join(root, "cache"));
    expect(await store().get(KEY)).toBeUndefined();
    expect(warnings).toEqual([
      `not using cache dir ${join(root, "cache")}: it is a symlink; tokens are kept in memory only`,
    ]);
  });

  test("without onWarning, the warning goes to console.warn, prefixed with openclaw-auth", async () => {
    await mkdir(join(root, "real"), { mode: 0o700 });
    await symlink(join(root, "real"), join(root, "cache"));
    const seen: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => seen.push(args);
    try {
      await createFileTokenStore(join(root, "cache")).get(KEY);
    } finally {
      console.warn = warn;
    }
    expect(seen).toEqual([
      [
        `openclaw-auth: not using cache dir ${join(root, "cache")}: it is a symlink; tokens are kept in memory only`,
      ],
    ]);
  });

  test("a write waits for token_<key>.write.lock held by another writer, then writes", async () => {
    const dir = join(root, "cache");
    await mkdir(dir, { mode: 0o700 });
    const s = store();
    expect(s.writeLockPath(KEY)).toBe(join(dir, `token_${KEY}.write.lock`));
    const release = await new FileLock(bunPlatform, join(dir, `token_${KEY}.write.lock`), {
      staleMs: 5_000,
    }).tryAcquire();
    expect(release).toBeFunction();
    let written = false;
    const writing = s.set(KEY, token("after-the-lock", 2_000_000_000)).then(() => {
      written = true;
    });
    // Far below the 5 s stale bound and the 6 s give-up: the writer is still polling.
    await Bun.sleep(300);
    expect(written).toBe(false);
    expect(await readdir(dir)).not.toContain(`token_${KEY}.json`);
    await release?.();
    await writing;
    expect((await s.get(KEY))?.accessToken).toBe("after-the-lock");
    expect(warnings).toEqual([]);
  });

  test("tryLock creates token_<key>.lock with pid, host and createdAt, once", async () => {
    const s = store();
    const release = await s.tryLock(KEY);
    expect(release).toBeFunction();
    const lockPath = join(root, "cache", `token_${KEY}.lock`);
    const owner = JSON.parse(await readFile(lockPath, "utf8"));
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(hostname());
    expect(Math.abs(owner.createdAt - Date.now())).toBeLessThan(60_000);
    expect((await lstat(lockPath)).mode & 0o777).toBe(0o600);
    expect(await s.tryLock(KEY)).toBeUndefined();
    await release?.();
    expect(await readdir(join(root, "cache"))).toEqual([]);
    const again = await s.tryLock(KEY);
    expect(again).toBeFunction();
    await again?.();
  });

  test("a lock left by a dead process on this host is taken over", async () => {
    await mkdir(join(root, "cache"), { mode: 0o700 });
    const lockPath = join(root, "cache", `token_${KEY}.lock`);
    await writeFile(
      lockPath,
      JSON.stringify({ pid: 2 ** 30, host: hostname(), createdAt: Date.now() }),
      { mode: 0o600 },
    );
    const release = await store().tryLock(KEY);
    expect(release).toBeFunction();
    expect(JSON.parse(await readFile(lockPath, "utf8")).pid).toBe(process.pid);
    await release?.();
  });
});

describe("FileTokenStore.watch", () => {
  test("closing a watch stops watching the cache dir: no watch outlives its wait", async () => {
    const counts = { started: 0, stopped: 0 };
    // Bun's platform, counting the directory watches it starts and stops.
    const platform: Platform = {
      ...bunPlatform,
      watchDirectory(path, onChange) {
        const stop = bunPlatform.watchDirectory?.(path, onChange);
        if (!stop) return undefined;
        counts.started++;
        return () => {
          counts.stopped++;
          stop();
        };
      },
    };
    const s = new FileTokenStore(platform, {
      dir: join(root, "cache"),
      onWarning: (message) => warnings.push(message),
    });
    await s.set(KEY, token("a", 2_000_000_000));
    const watch = await s.watch(KEY);
    expect(counts).toEqual({ started: 1, stopped: 0 });
    watch?.close();
    expect(counts).toEqual({ started: 1, stopped: 1 });
  });
});

describe("MemoryTokenStore", () => {
  test("keeps the later-expiring token per key", async () => {
    const s = new MemoryTokenStore();
    await s.set(KEY, token("later", 200));
    await s.set(KEY, token("sooner", 100));
    expect((await s.get(KEY))?.accessToken).toBe("later");
    expect(await s.get("other")).toBeUndefined();
    await s.delete(KEY);
    expect(await s.get(KEY)).toBeUndefined();
    expect(s.describe(KEY)).toBe(`memory:${KEY}`);
  });
});
