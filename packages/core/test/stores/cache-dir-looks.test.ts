/**
 * What the file store makes of its look at the cache dir, in this process: a dir it cannot look
 * at is not used (one warning naming the error), a platform without uids or owners uses a dir of
 * anyone's, and a temp file gone between the sweep's listing and its look does not end the sweep.
 * Real dirs; where a failure needs a moment no test can pick (a look that fails right after the
 * mkdir, a file gone between two calls), Bun's platform with that one call changed.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, symlink, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import type { Platform } from "../../src/platform/platform.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "fedcba9876543210fedcba9876543210";
const TOKEN = { accessToken: "t-looks", expiresAt: 2_000_000_000, expiresIn: 900 };

let root: string;
let warnings: string[];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-dir-looks-"));
  warnings = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const storeAt = (dir: string, platform: Platform = bunPlatform) =>
  new FileTokenStore(platform, { dir, onWarning: (message) => warnings.push(message) });
const notUsing = (dir: string, reason: string) =>
  `not using cache dir ${dir}: ${reason}; tokens are kept in memory only`;

describe("a cache dir the store cannot look at", () => {
  test("is not used (a path through a symlink loop: ELOOP): reads miss, writes keep nothing, one warning", async () => {
    await symlink("loop", join(root, "loop"));
    const dir = join(root, "loop", "cache");
    const store = storeAt(dir);
    expect(await store.get(KEY)).toBeUndefined();
    await store.set(KEY, TOKEN);
    expect(await store.get(KEY)).toBeUndefined();
    expect(warnings).toEqual([notUsing(dir, "cannot look at it (ELOOP)")]);
  });

  test("is not used when the look right after making it fails (EACCES): nothing written, one warning", async () => {
    const dir = join(root, "cache");
    let looks = 0;
    const store = storeAt(dir, {
      ...bunPlatform,
      pathInfo: async (path) => {
        if (path === dir && ++looks === 2) {
          throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
        }
        return bunPlatform.pathInfo(path);
      },
    });
    await store.set(KEY, TOKEN);
    expect(looks).toBe(2);
    expect(await readdir(dir)).toEqual([]);
    expect(warnings).toEqual([notUsing(dir, "cannot look at it (EACCES)")]);
  });
});

describe("a platform that cannot tell owners", () => {
  test("with no uids (uid undefined) uses a dir whoever owns it", async () => {
    const dir = join(root, "cache");
    const store = storeAt(dir, { ...bunPlatform, uid: () => undefined });
    await store.set(KEY, TOKEN);
    expect((await store.get(KEY))?.accessToken).toBe("t-looks");
    expect(warnings).toEqual([]);
  });

  test("that cannot tell a dir's owner (its uid undefined) uses the dir", async () => {
    const dir = join(root, "cache");
    const store = storeAt(dir, {
      ...bunPlatform,
      pathInfo: async (path) => {
        const info = await bunPlatform.pathInfo(path);
        return info && { ...info, uid: undefined };
      },
    });
    await store.set(KEY, TOKEN);
    expect((await store.get(KEY))?.accessToken).toBe("t-looks");
    expect(warnings).toEqual([]);
  });
});

describe("the sweep of old temp files on a write", () => {
  test("a temp file gone between the listing and its look does not stop the sweep of the others", async () => {
    const dir = join(root, "cache");
    await mkdir(dir, { mode: 0o700 });
    // Temp files of this (live) process, ten minutes old: orphans by their age alone.
    const names = [1, 2, 3].map((n) => `token_${OTHER_KEY}.json.${process.pid}.${n}.ab.tmp`);
    const old = new Date(Date.now() - 600_000);
    for (const name of names) {
      await writeFile(join(dir, name), "{}", { mode: 0o600 });
      await utimes(join(dir, name), old, old);
    }
    let vanished = false;
    const store = storeAt(dir, {
      ...bunPlatform,
      pathInfo: async (path) => {
        // The first temp file looked at is removed by someone else just before the look.
        if (!vanished && path.endsWith(".tmp")) {
          vanished = true;
          await unlink(path);
        }
        return bunPlatform.pathInfo(path);
      },
    });
    await store.set(KEY, TOKEN);
    expect(vanished).toBe(true);
    expect(await readdir(dir)).toEqual([`token_${KEY}.json`]);
  });
});
