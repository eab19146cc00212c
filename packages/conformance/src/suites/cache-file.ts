/**
 * The cache file: its documented name and fields, shared with other programs; bad files replaced;
 * private modes; symlinks and other users' files not used.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmod,
  chown,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import {
  CLIENT_KEY,
  documentedCacheKey,
  documentedCachePath,
  it,
  nowSec,
  recordOutput,
  requestsTo,
  withFixture,
} from "../support.ts";
import type { Harness } from "../types.ts";

const modeOf = async (path: string) => (await lstat(path)).mode & 0o777;

/**
 * Makes the regular file `file` in `dir` belong to another user and runs `fn` with the path by
 * which the runtime is to reach `dir`, and that user's uid. Root chowns the file to nobody (65534).
 * Any other user cannot give a file away: a child of `unshare` (util-linux) becomes root of a
 * user and mount namespace of its own and bind-mounts /etc/passwd, root's, onto the file; this
 * process then reaches `dir` through the child's /proc/<pid>/root, and sees the file as root's.
 */
async function withFileOfAnotherUser(
  dir: string,
  file: string,
  fn: (dirSeen: string, owner: number) => Promise<void>,
): Promise<void> {
  if (process.getuid?.() === 0) {
    await chown(join(dir, file), 65534, 65534);
    return fn(dir, 65534);
  }
  const child = spawn(
    "unshare",
    [
      "--user",
      "--map-root-user",
      "--mount",
      "sh",
      "-c",
      'mount --bind /etc/passwd "$0" && echo mounted && exec sleep 120',
      join(dir, file),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const mounted = await new Promise<string>((resolve) => {
      let output = "";
      const collect = (chunk: Uint8Array) => {
        output += new TextDecoder().decode(chunk);
        if (output.includes("mounted")) resolve(output);
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.on("close", () => resolve(output));
    });
    assert.match(mounted, /mounted/, "unshare and mount --bind set up the file of another user");
    await fn(`/proc/${child.pid}/root${dir}`, 0);
  } finally {
    child.kill();
  }
}

export function cacheFileSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("cache file", () => {
    it(
      h,
      "the file is {cacheDir}/token_<first 32 hex of sha256(authBase \\n clientKey)>.json",
      async () => {
        await withFixture(h, {}, async (f) => {
          const key = documentedCacheKey(f.gateway.url, CLIENT_KEY);
          assert.match(key, /^[0-9a-f]{32}$/);
          assert.equal(api.cacheFilePath(f.config), join(f.cacheDir, `token_${key}.json`));
          await api.getAccessToken({ config: f.config });
          assert.deepEqual(await readdir(f.cacheDir), [`token_${key}.json`]);
        });
      },
    );

    it(
      h,
      "a token written by another program with the documented fields is served without a network call",
      async () => {
        await withFixture(h, {}, async (f) => {
          await mkdir(f.cacheDir, { mode: 0o700 });
          const expiresAt = nowSec() + 600;
          const path = documentedCachePath(f.cacheDir, f.gateway.url, CLIENT_KEY);
          await writeFile(
            path,
            JSON.stringify({
              access_token: "written-by-python",
              expires_at: expiresAt,
              expires_in: 900,
            }),
            { mode: 0o600 },
          );
          const info = await api.getAccessTokenInfo({ config: f.config });
          assert.equal(info.accessToken, "written-by-python");
          assert.equal(info.source, "cache");
          assert.equal(info.expiresAt, expiresAt);
          assert.equal(await api.getAccessToken({ config: f.config }), "written-by-python");
          const stats = await f.gateway.stats();
          assert.equal(stats.tokensIssued, 0);
          assert.deepEqual(stats.requests, {});
        });
      },
    );

    it(h, "the file the runtime writes has the documented fields and nothing secret", async () => {
      await withFixture(h, {}, async (f) => {
        const before = nowSec();
        const info = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(info.source, "network");
        const raw = await readFile(api.cacheFilePath(f.config), "utf8");
        const file = JSON.parse(raw) as Record<string, unknown>;
        assert.equal(file.access_token, info.accessToken);
        assert.equal(file.expires_in, 900);
        assert.equal(typeof file.expires_at, "number");
        const expiresAt = file.expires_at as number;
        assert.ok(expiresAt >= before + 899 && expiresAt <= nowSec() + 901, String(expiresAt));
        assert.ok(!raw.includes(CLIENT_KEY));
      });
    });

    it(
      h,
      "a truncated, non-JSON, wrong-typed, empty or schema-less file is replaced, never an error",
      async () => {
        const broken: Record<string, string> = {
          truncated: '{"access_token": "abc", "expires_at": 17',
          "not JSON": "this is not json",
          "wrong types": JSON.stringify({ access_token: 42, expires_at: "tomorrow" }),
          "empty token": JSON.stringify({ access_token: "", expires_at: nowSec() + 600 }),
          empty: "",
          "JSON null": "null",
          "an array": "[1,2,3]",
          "no fields": "{}",
          binary: "\u0000\u0001\u0002\uFFFD",
        };
        await withFixture(h, {}, async (f) => {
          let issued = 0;
          for (const [name, content] of Object.entries(broken)) {
            const cacheDir = join(f.root, name.replace(/\W+/g, "-"));
            const config = f.configWith({ AUTH_CACHE_DIR: cacheDir });
            await mkdir(cacheDir, { mode: 0o700 });
            const path = api.cacheFilePath(config);
            await writeFile(path, content, { mode: 0o600 });
            const info = await api.getAccessTokenInfo({ config });
            issued += 1;
            assert.equal(info.source, "network", name);
            const file = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
            assert.equal(file.access_token, info.accessToken, name);
            assert.equal((await f.gateway.stats()).tokensIssued, issued, name);
          }
        });
      },
    );

    it(h, "an expired or nearly expired cached token is not served", async () => {
      await withFixture(h, { env: { AUTH_MIN_TTL_SEC: "60" } }, async (f) => {
        await mkdir(f.cacheDir, { mode: 0o700 });
        const path = api.cacheFilePath(f.config);
        for (const [name, expiresAt] of [
          ["expired", nowSec() - 10],
          ["inside minTtlSec", nowSec() + 30],
        ] as const) {
          await writeFile(
            path,
            JSON.stringify({ access_token: `old-${name}`, expires_at: expiresAt, expires_in: 900 }),
            {
              mode: 0o600,
            },
          );
          // A manager of its own each time: nothing in memory, as in a new process.
          const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(info.source, "network", name);
          assert.notEqual(info.accessToken, `old-${name}`);
        }
      });
    });

    it(h, "with minTtlSec 0 a token is fresh until its expiry second, and not at it", async () => {
      await withFixture(h, { env: { AUTH_MIN_TTL_SEC: "0" } }, async (f) => {
        const manager = f.manager();
        const expiresAt = nowSec() + 100;
        const token = { accessToken: "edge", expiresAt, expiresIn: 100 };
        assert.equal(manager.isFresh(token, expiresAt - 0.001), true);
        assert.equal(manager.isFresh(token, expiresAt), false);
        assert.equal(manager.isFresh(token, expiresAt + 0.001), false);
      });
    });

    it(
      h,
      "a non-ASCII client key hashes its UTF-8 bytes: a file written the documented way is served",
      async () => {
        await withFixture(h, {}, async (f) => {
          const key = "ck-ключ-été-密钥";
          const config = f.configWith({ CLIENT_KEY: key });
          assert.equal(
            api.cacheFilePath(config),
            documentedCachePath(f.cacheDir, f.gateway.url, key),
          );
          await mkdir(f.cacheDir, { mode: 0o700 });
          await writeFile(
            documentedCachePath(f.cacheDir, f.gateway.url, key),
            JSON.stringify({ access_token: "for-utf8", expires_at: nowSec() + 600 }),
            { mode: 0o600 },
          );
          const info = await api.getAccessTokenInfo({ config });
          assert.equal(info.accessToken, "for-utf8");
          assert.equal(info.source, "cache");
          assert.deepEqual((await f.gateway.stats()).requests, {});
        });
      },
    );

    it(
      h,
      "a new token replaces the file whole: a reader of the old file still reads all of it",
      async () => {
        await withFixture(h, { env: { AUTH_MIN_TTL_SEC: "60" } }, async (f) => {
          await mkdir(f.cacheDir, { mode: 0o700 });
          const path = api.cacheFilePath(f.config);
          // Inside minTtlSec: not served, so the next call fetches a token and writes it here.
          const old = JSON.stringify({ access_token: "old-one", expires_at: nowSec() + 30 });
          await writeFile(path, old, { mode: 0o600 });
          // A reader that opened the file before the write (another process, mid-read) keeps
          // the old file: an atomic rename never changes it, an in-place write would.
          const reader = await open(path, "r");
          try {
            const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
            assert.equal(info.source, "network");
            assert.equal(await reader.readFile({ encoding: "utf8" }), old);
            assert.equal(JSON.parse(await readFile(path, "utf8")).access_token, info.accessToken);
          } finally {
            await reader.close();
          }
        });
      },
    );

    it(h, "the cache dir is created 0700 and the file 0600", async () => {
      await withFixture(h, {}, async (f) => {
        const cacheDir = join(f.root, "a", "b", "cache");
        const config = f.configWith({ AUTH_CACHE_DIR: cacheDir });
        await api.getAccessToken({ config });
        assert.equal(await modeOf(cacheDir), 0o700);
        assert.equal(await modeOf(api.cacheFilePath(config)), 0o600);
      });
    });

    it(h, "an existing cache dir that others can read is made 0700", async () => {
      await withFixture(h, {}, async (f) => {
        await mkdir(f.cacheDir);
        await chmod(f.cacheDir, 0o755);
        await api.getAccessToken({ config: f.config });
        assert.equal(await modeOf(f.cacheDir), 0o700);
        assert.equal(await modeOf(api.cacheFilePath(f.config)), 0o600);
      });
    });

    it(h, "a symlink planted at the cache file path is not followed", async () => {
      await withFixture(h, {}, async (f) => {
        await mkdir(f.cacheDir, { mode: 0o700 });
        const victim = join(f.root, "victim.json");
        const planted = JSON.stringify({
          access_token: "planted-token",
          expires_at: nowSec() + 600,
          expires_in: 900,
        });
        await writeFile(victim, planted, { mode: 0o600 });
        const path = api.cacheFilePath(f.config);
        await symlink(victim, path);

        const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
        assert.equal(info.source, "network");
        assert.notEqual(info.accessToken, "planted-token");
        assert.equal(await readFile(victim, "utf8"), planted, "the symlink's target is untouched");
        assert.ok(
          f.warnings.some((w) => /symlink/.test(w)),
          `a warning says why: ${JSON.stringify(f.warnings)}`,
        );
        // The link itself was replaced by a private regular file, or left alone; never written through.
        const entry = await lstat(path);
        if (entry.isFile()) assert.equal(entry.mode & 0o777, 0o600);
        else assert.ok(entry.isSymbolicLink());
      });
    });

    it(h, "a cache dir that is a symlink is not used", async () => {
      await withFixture(h, {}, async (f) => {
        const real = join(f.root, "real");
        await mkdir(real, { mode: 0o700 });
        await symlink(real, f.cacheDir);
        const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
        assert.equal(info.source, "network");
        assert.deepEqual(await readdir(real), [], "nothing is written through the link");
        assert.ok(
          f.warnings.some((w) => /symlink/.test(w)),
          JSON.stringify(f.warnings),
        );
      });
    });

    it(
      h,
      "an unusable cache dir or cache path is no error: the token is kept in memory",
      async () => {
        await withFixture(h, {}, async (f) => {
          // The cache dir would have to be created under a regular file.
          const blocker = join(f.root, "a-file");
          await writeFile(blocker, "not a directory");
          const underFile = f.manager({
            config: f.configWith({ AUTH_CACHE_DIR: join(blocker, "cache") }),
          });
          const first = await api.getAccessTokenInfo({ tokenManager: underFile });
          assert.equal(first.source, "network");
          assert.equal(
            (await api.getAccessTokenInfo({ tokenManager: underFile })).source,
            "memory",
          );

          // A directory sits where the cache file should be.
          await mkdir(api.cacheFilePath(f.config), {
            recursive: true,
          });
          const blocked = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(blocked.source, "network");
          assert.ok(f.warnings.length > 0, "a warning says why");
        });
      },
    );

    it(h, "a cache file owned by another user is not used", async () => {
      await withFixture(h, {}, async (f) => {
        await mkdir(f.cacheDir, { mode: 0o700 });
        const path = api.cacheFilePath(f.config);
        await writeFile(
          path,
          JSON.stringify({
            access_token: "someone-elses",
            expires_at: nowSec() + 600,
            expires_in: 900,
          }),
          { mode: 0o600 },
        );
        const name = path.slice(f.cacheDir.length + 1);
        await withFileOfAnotherUser(f.cacheDir, name, async (cacheDir, owner) => {
          const warnings: string[] = [];
          const tokenManager = api.createTokenManager({
            config: f.configWith({ AUTH_CACHE_DIR: cacheDir }),
            onWarning: (message) => {
              warnings.push(message);
              recordOutput(message);
            },
          });
          const info = await api.getAccessTokenInfo({ tokenManager });
          assert.equal(info.source, "network");
          assert.notEqual(info.accessToken, "someone-elses");
          assert.ok(
            warnings.some((w) => w.includes(`it is owned by another user (uid ${owner})`)),
            JSON.stringify(warnings),
          );
        });
      });
    });

    it(h, "refreshAccessToken skips both caches and rewrites the file", async () => {
      await withFixture(h, {}, async (f) => {
        const first = await api.getAccessToken({ config: f.config });
        const second = await api.refreshAccessToken({ config: f.config });
        assert.notEqual(second, first);
        assert.equal(await api.getAccessToken({ config: f.config }), second);
        const file = JSON.parse(await readFile(api.cacheFilePath(f.config), "utf8"));
        assert.equal(file.access_token, second);
        assert.equal((await f.gateway.stats()).tokensIssued, 2);
      });
    });

    it(
      h,
      "refreshAccessToken in a new process fails when no new token comes, rather than serve the cached one",
      async () => {
        await withFixture(h, {}, async (f) => {
          const [first] = await h.runClients(1, ["token"], f.env);
          assert.equal(first?.code, 0, first?.stderr);
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
          const [refresh] = await h.runClients(1, ["refresh"], {
            ...f.env,
            AUTH_TIMEOUT_MS: "2000",
          });
          recordOutput(`${refresh?.stdout}${refresh?.stderr}`);
          assert.equal(refresh?.code, 1, refresh?.stdout);
          const line = JSON.parse(refresh?.stdout.trim().split("\n").at(-1) ?? "{}");
          assert.equal(line.error?.code, "AUTH_SESSION_ERROR", refresh?.stdout);
          // The token is still there for callers that asked for none in particular.
          const [again] = await h.runClients(1, ["token"], f.env);
          assert.equal(JSON.parse(again?.stdout.trim() ?? "{}").source, "cache");
        });
      },
    );

    it(h, "refreshAccessToken replaces a stored token that claims to live longer", async () => {
      await withFixture(h, {}, async (f) => {
        await mkdir(f.cacheDir, { mode: 0o700 });
        const path = api.cacheFilePath(f.config);
        await writeFile(
          path,
          JSON.stringify({
            access_token: "long-lived",
            expires_at: nowSec() + 86_400,
            expires_in: 86_400,
          }),
          { mode: 0o600 },
        );
        assert.equal(await api.getAccessToken({ config: f.config }), "long-lived");
        const fresh = await api.refreshAccessToken({ config: f.config });
        assert.notEqual(fresh, "long-lived");
        assert.equal(JSON.parse(await readFile(path, "utf8")).access_token, fresh);
      });
    });

    it(h, "clearCachedToken removes the file and the next call asks the gateway", async () => {
      await withFixture(h, {}, async (f) => {
        const first = await api.getAccessToken({ config: f.config });
        await api.clearCachedToken({ config: f.config });
        await assert.rejects(stat(api.cacheFilePath(f.config)), { code: "ENOENT" });
        const info = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(info.source, "network");
        assert.notEqual(info.accessToken, first);
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 2);
      });
    });
  });
}
