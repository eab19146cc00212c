/**
 * A cache dir the platform cannot write in (a read-only filesystem, a denied directory) makes
 * the file store memory-only with one warning, never a failure; any other write error is
 * still an error. The platform here is Bun's own, with one operation reporting the error a
 * read-only or denied filesystem gives, so that the case runs in-process whoever runs it
 * (root may write anywhere; `bad-input.test.ts` checks the real thing in a child as nobody).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { lstat, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import type { Platform } from "../../src/platform/platform.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN = { accessToken: "t-memory-only", expiresAt: 2_000_000_000, expiresIn: 900 };

const failing = (code: string) =>
  Object.assign(new Error(`${code}: the filesystem says no`), { code });

let root: string;
let dir: string;
let warnings: string[];
const storeOn = (platform: Platform) =>
  new FileTokenStore(platform, { dir, onWarning: (message) => warnings.push(message) });

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-readonly-"));
  dir = join(root, "cache");
  await mkdir(dir, { mode: 0o700 });
  warnings = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a cache dir that cannot be written", () => {
  test.each(["EACCES", "EPERM", "EROFS"])(
    "a write failing with %s is skipped with one warning naming the code",
    async (code) => {
      const store = storeOn({
        ...bunPlatform,
        writeFileAtomic: async () => {
          throw failing(code);
        },
      });
      await store.set(KEY, TOKEN);
      await store.set(KEY, TOKEN);
      expect(await readdir(dir)).toEqual([]);
      expect(warnings).toEqual([
        `not using cache dir ${dir}: cannot write in it (${code}); tokens are kept in memory only`,
      ]);
    },
  );

  test.each(["EACCES", "EPERM", "EROFS"])(
    "a token lock that cannot be created (%s) is no lock to wait for",
    async (code) => {
      const store = storeOn({
        ...bunPlatform,
        createFileExclusive: async () => {
          throw failing(code);
        },
      });
      const release = await store.tryLock(KEY);
      expect(release).toBeFunction();
      await release?.();
      expect(await readdir(dir)).toEqual([]);
      expect(warnings).toEqual([
        `not using cache dir ${dir}: cannot write in it (${code}); tokens are kept in memory only`,
      ]);
    },
  );

  test("any other error of a write or a lock is an error, not a memory-only store", async () => {
    const broken = storeOn({
      ...bunPlatform,
      writeFileAtomic: async () => {
        throw failing("EIO");
      },
      createFileExclusive: async () => {
        throw failing("EIO");
      },
    });
    await expect(broken.set(KEY, TOKEN)).rejects.toThrow("EIO: the filesystem says no");
    await expect(broken.tryLock(KEY)).rejects.toThrow("EIO: the filesystem says no");
    const odd = storeOn({
      ...bunPlatform,
      writeFileAtomic: async () => {
        throw null;
      },
    });
    await expect(odd.set(KEY, TOKEN)).rejects.toBeNull();
    expect(warnings).toEqual([]);
  });

  test("a dir of ours that cannot be made private is not used: one warning, nothing written", async () => {
    await rm(dir, { recursive: true });
    await mkdir(dir, { mode: 0o755 });
    const store = storeOn({
      ...bunPlatform,
      setMode: async () => {
        throw failing("EPERM");
      },
    });
    await store.set(KEY, TOKEN);
    expect(await readdir(dir)).toEqual([]);
    expect((await lstat(dir)).mode & 0o777).toBe(0o755);
    expect(warnings).toEqual([
      `not using cache dir ${dir}: cannot make it private (EPERM: the filesystem says no); tokens are kept in memory only`,
    ]);
  });
});

describe("a write lock that cannot be taken", () => {
  test("an error taking the write lock does not stop the write: the token is written without it", async () => {
    const store = storeOn({
      ...bunPlatform,
      createFileExclusive: async () => {
        throw failing("EIO");
      },
    });
    await store.set(KEY, TOKEN);
    expect((await store.get(KEY))?.accessToken).toBe(TOKEN.accessToken);
    expect(await readdir(dir)).toEqual([`token_${KEY}.json`]);
    expect(warnings).toEqual([]);
  });
});

describe("a platform that cannot list a directory", () => {
  test("writes, reads and deletes tokens all the same, with no sweep", async () => {
    const { listDirectory: _cannot, ...unlisting } = bunPlatform;
    const store = storeOn(unlisting);
    await store.set(KEY, TOKEN);
    expect((await store.get(KEY))?.accessToken).toBe(TOKEN.accessToken);
    await store.delete(KEY);
    expect(await store.get(KEY)).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});
