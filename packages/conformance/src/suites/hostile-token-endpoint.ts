/** A hostile token endpoint: redirects, huge or compressed bodies, malformed tokens and lifetimes, aborts. */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { gzipSync } from "node:zlib";
import type { EnvConfig } from "@openclaw/auth-runtime";
import {
  CLIENT_KEY,
  caught,
  documentedCacheKey,
  documentedCachePath,
  errorTexts,
  it,
  nowSec,
  recordOutput,
  type ScriptedReply,
  sleep,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** A loopback server that hands each request to `handle` as is, and counts what it saw. */
interface RawServer {
  readonly url: string;
  /** Requests received (their bodies read). */
  readonly requests: string[];
  /** Connections that have closed since they opened. */
  closed: number;
  stop(): Promise<void>;
}

async function startRawServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<RawServer> {
  const server = createServer((request, response) => {
    const chunks: Uint8Array[] = [];
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    request.on("end", () => {
      raw.requests.push(new TextDecoder().decode(Buffer.concat(chunks)));
      handle(request, response);
    });
  });
  server.on("connection", (socket) => socket.on("close", () => raw.closed++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const raw: RawServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    closed: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return raw;
}

async function withRawServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  fn: (server: RawServer) => Promise<void>,
): Promise<void> {
  const server = await startRawServer(handle);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/** Answers nothing, ever: the request hangs until the client gives up. */
const hang = () => {};

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
async function eventually(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

const lockFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".lock"));

export function hostileTokenEndpointSuite(h: Harness): void {
  const { api } = h;

  /** A config for `authBase` with a cache dir in `dir`. */
  const configFor = (authBase: string, dir: string, env: Record<string, string> = {}) =>
    api.createEnvConfig(
      { AUTH_BASE: authBase, CLIENT_KEY, AUTH_CACHE_DIR: join(dir, "cache"), ...env },
      { envFile: false },
    );

  /** Runs `fn` against a scripted gateway answering every token request with `reply`. */
  async function withGateway(
    reply: ScriptedReply | (() => ScriptedReply),
    fn: (config: EnvConfig, cacheFile: string, seen: () => number) => Promise<void>,
    env: Record<string, string> = {},
  ): Promise<void> {
    await withScriptedServer(typeof reply === "function" ? reply : () => reply, async (server) => {
      await withTempDir(async (dir) => {
        const config = configFor(server.url, dir, env);
        const cacheFile = documentedCachePath(config.cacheDir, config.authBase, CLIENT_KEY);
        await fn(config, cacheFile, () => server.seen.length);
      });
    });
  }

  /** Writes the cache file a poisoned or older program may have left. */
  async function plantCacheFile(config: EnvConfig, content: unknown): Promise<string> {
    await mkdir(config.cacheDir, { recursive: true, mode: 0o700 });
    const file = documentedCachePath(config.cacheDir, config.authBase, CLIENT_KEY);
    await writeFile(file, JSON.stringify(content), { mode: 0o600 });
    return file;
  }

  const cachedToken = async (file: string) =>
    JSON.parse(await readFile(file, "utf8")) as { access_token: string; expires_at: number };

  h.t.describe("hostile token endpoint", () => {
    for (const status of [307, 308]) {
      it(
        h,
        `a ${status} from the token endpoint to another origin is an AuthSessionError naming the status and origin, and the key never leaves`,
        async () => {
          await withRawServer(
            (_request, response) => {
              response.writeHead(200, { "content-type": "application/json" });
              response.end(JSON.stringify({ accessToken: "foreign-token", expiresIn: 900 }));
            },
            async (elsewhere) => {
              const location = `${elsewhere.url}/steal?session=secret-query`;
              await withGateway(
                { status, headers: { location } },
                async (config, cacheFile, seen) => {
                  const error = await caught(api.getAccessToken({ config }));
                  assert.ok(error instanceof api.AuthSessionError, String(error));
                  assert.equal(error.status, status);
                  assert.match(error.message, new RegExp(`HTTP ${status}`));
                  assert.ok(error.message.includes(elsewhere.url), error.message);
                  assert.ok(!error.message.includes("secret-query"), error.message);
                  assert.deepEqual(elsewhere.requests, [], "the redirect target got a request");
                  assert.equal(seen(), 1, "the redirect is not retried");
                  assert.equal(await exists(cacheFile), false);
                },
              );
            },
          );
        },
      );
    }

    it(
      h,
      "a gzip bomb as the token response stops at 64 KiB with an AuthSessionError and caches nothing",
      async () => {
        // 32 MiB of JSON carrying a token, about 32 KiB on the wire.
        const json = `{"accessToken":"bomb-token","expiresIn":900,"pad":"${"a".repeat(32 * 1024 * 1024)}"}`;
        const bomb = gzipSync(json);
        assert.ok(bomb.byteLength < 256 * 1024);
        await withRawServer(
          (_request, response) => {
            response.writeHead(200, {
              "content-type": "application/json",
              "content-encoding": "gzip",
              "content-length": String(bomb.byteLength),
            });
            response.end(bomb);
          },
          async (server) => {
            await withTempDir(async (dir) => {
              const config = configFor(server.url, dir);
              const error = await caught(api.getAccessToken({ config }));
              assert.ok(error instanceof api.AuthSessionError, String(error));
              assert.match(error.message, /exceeded 64 KiB/);
              assert.equal(error.status, 200);
              assert.equal(
                await exists(documentedCachePath(config.cacheDir, config.authBase, CLIENT_KEY)),
                false,
              );
            });
          },
        );
      },
    );

    it(h, "a plain token response over 64 KiB is an AuthSessionError that says so", async () => {
      const body = { accessToken: "big-token", expiresIn: 900, pad: "a".repeat(100_000) };
      await withGateway({ body }, async (config, cacheFile) => {
        const error = await caught(api.getAccessToken({ config }));
        assert.ok(error instanceof api.AuthSessionError, String(error));
        assert.match(error.message, /exceeded 64 KiB/);
        assert.equal(await exists(cacheFile), false);
      });
    });

    for (const [what, token] of [
      ["CR/LF", "abc\r\nX-Injected: 1"],
      ["a space", "abc def"],
      ["non-ASCII", "t\u00f6k\u00e9n"],
      ["more than 16384 characters", "x".repeat(16_385)],
    ] as const) {
      it(
        h,
        `a token containing ${what} is AuthSessionError 'Missing accessToken', never quoted, never cached`,
        async () => {
          await withGateway(
            { body: { accessToken: token, expiresIn: 900 } },
            async (config, file) => {
              const error = await caught(api.getAccessToken({ config }));
              assert.ok(error instanceof api.AuthSessionError, String(error));
              assert.ok(error.message.startsWith("Missing accessToken"), error.message);
              assert.ok(!error.message.includes(token.slice(0, 5)), error.message);
              assert.equal(await exists(file), false);
            },
          );
        },
      );
    }

    it(h, "a cache file holding a malformed token is a miss and is replaced", async () => {
      await withFixture(h, {}, async (f) => {
        const file = await plantCacheFile(f.config, {
          access_token: "cached token\r\nX-Injected: 1",
          expires_at: nowSec() + 600,
          expires_in: 600,
        });
        const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
        assert.equal(info.source, "network");
        assert.match(info.accessToken, /^[\x21-\x7E]+$/);
        assert.equal((await cachedToken(file)).access_token, info.accessToken);
      });
    });

    it(
      h,
      "an expires_at in milliseconds is read as such, and a lifetime is capped at AUTH_MAX_TTL_SEC in memory and in the file",
      async () => {
        const now = Math.floor(nowSec());
        const cases: [Record<string, unknown>, Record<string, string>, number][] = [
          [{ accessToken: "v", expires_at: (now + 600) * 1000 }, {}, 600],
          [{ accessToken: "v", expiresIn: 1e12 }, {}, 86_400],
          [{ access_token: "v", expires_at: 1e15 }, {}, 86_400],
          [{ accessToken: "v", expiresIn: 900 }, { AUTH_MAX_TTL_SEC: "300" }, 300],
        ];
        for (const [body, env, lifetime] of cases) {
          await withGateway(
            { body },
            async (config, file) => {
              const info = await api.getAccessTokenInfo({ config });
              const label = JSON.stringify(body);
              assert.ok(
                Math.abs(info.expiresAt - (now + lifetime)) <= 5,
                `${label}: ${info.expiresAt}`,
              );
              assert.ok(Math.abs(info.expiresIn - lifetime) <= 5, `${label}: ${info.expiresIn}`);
              const stored = await cachedToken(file);
              assert.ok(
                Math.abs(stored.expires_at - (now + lifetime)) <= 5,
                `${label} in the file`,
              );
            },
            env,
          );
        }
      },
    );

    it(
      h,
      "a token expired on arrival (expiresIn <= 0, expires_at past) is returned to its caller and cached nowhere",
      async () => {
        for (const body of [
          { accessToken: "t-expired", expiresIn: 0 },
          { accessToken: "t-expired", expiresIn: -30 },
          { accessToken: "t-expired", expires_at: Math.floor(nowSec()) - 60 },
        ]) {
          await withGateway({ body }, async (config, file, seen) => {
            const tokenManager = api.createTokenManager({ config, onWarning: recordOutput });
            const first = await api.getAccessTokenInfo({ tokenManager });
            assert.equal(first.accessToken, "t-expired");
            assert.equal(first.source, "network");
            assert.ok(first.expiresAt <= nowSec(), JSON.stringify(body));
            const second = await api.getAccessTokenInfo({ tokenManager });
            assert.equal(second.source, "network", "served again from memory");
            assert.equal(seen(), 2);
            assert.equal(await exists(file), false);
          });
        }
      },
    );

    it(
      h,
      "a cache file whose expires_at lies beyond AUTH_MAX_TTL_SEC is a miss and is replaced",
      async () => {
        await withFixture(h, {}, async (f) => {
          const file = await plantCacheFile(f.config, {
            access_token: "poisoned-token",
            expires_at: nowSec() + 10 * 365 * 86_400,
            expires_in: 10 * 365 * 86_400,
          });
          const info = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(info.source, "network");
          assert.notEqual(info.accessToken, "poisoned-token");
          assert.equal((await cachedToken(file)).access_token, info.accessToken);
          const other = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(other.source, "cache");
          assert.equal(other.accessToken, info.accessToken);
        });
      },
    );

    it(
      h,
      "when every caller has aborted, the token request itself is cancelled and its lock released",
      async () => {
        await withRawServer(hang, async (server) => {
          await withTempDir(async (dir) => {
            const config = configFor(server.url, dir, { AUTH_TIMEOUT_MS: "20000" });
            const tokenManager = api.createTokenManager({ config, onWarning: recordOutput });
            const controllers = [new AbortController(), new AbortController()];
            const callers = controllers.map((c) =>
              caught(api.getAccessToken({ tokenManager, signal: c.signal })),
            );
            assert.ok(await eventually(() => server.requests.length === 1, 5000));
            for (const controller of controllers) controller.abort();
            for (const error of await Promise.all(callers)) {
              assert.ok(error instanceof api.AuthNetworkError, String(error));
              assert.equal(error.aborted, true);
            }
            assert.ok(
              await eventually(() => server.closed >= 1, 5000),
              "the hung token request was still open 5 s after its last caller aborted",
            );
            assert.ok(
              await eventually(async () => (await lockFiles(config.cacheDir)).length === 0, 5000),
              "the lock file outlived the aborted request",
            );
            await sleep(500);
            assert.equal(server.requests.length, 1, "the request was retried after the abort");
          });
        });
      },
    );

    it(
      h,
      "a process whose only caller aborts while the token endpoint hangs exits within seconds, leaving no lock",
      async () => {
        await withRawServer(hang, async (server) => {
          await withTempDir(async (dir) => {
            const cacheDir = join(dir, "cache");
            const env = {
              AUTH_BASE: server.url,
              CLIENT_KEY,
              AUTH_CACHE_DIR: cacheDir,
              AUTH_TIMEOUT_MS: "20000",
            };
            await assertExitsSoonAfterAbort(env, () => lockFiles(cacheDir));
            assert.equal(server.requests.length, 1);
          });
        });
      },
      60_000,
    );

    it(
      h,
      "a process whose only caller aborts while waiting for another process's lock exits within seconds",
      async () => {
        await withRawServer(hang, async (server) => {
          await withTempDir(async (dir) => {
            const cacheDir = join(dir, "cache");
            await mkdir(cacheDir, { mode: 0o700 });
            // Held by a live process elsewhere: only its age (30 s) would make it stale.
            const lock = join(cacheDir, `token_${documentedCacheKey(server.url, CLIENT_KEY)}.lock`);
            await writeFile(
              lock,
              JSON.stringify({ pid: process.pid, host: "elsewhere", createdAt: Date.now() }),
              { mode: 0o600 },
            );
            const env = {
              AUTH_BASE: server.url,
              CLIENT_KEY,
              AUTH_CACHE_DIR: cacheDir,
              AUTH_TIMEOUT_MS: "20000",
            };
            await assertExitsSoonAfterAbort(env, async () => []);
            assert.equal(server.requests.length, 0, "the aborted process asked the gateway");
            assert.equal(await exists(lock), true, "the other process's lock was taken away");
          });
        });
      },
      60_000,
    );

    it(h, "errors of the token request carry no secret in their cause chain", async () => {
      await withTempDir(async (dir) => {
        // A port nothing listens on, and a fetch (as some wrappers do) that quotes what it sent.
        const closed = await startRawServer(hang);
        await closed.stop();
        const config = configFor(closed.url, dir);
        const tokenManager = api.createTokenManager({
          config,
          retry: { limit: 0 },
          onWarning: recordOutput,
          fetch: async (input, init) => {
            try {
              return await fetch(input, init);
            } catch (error) {
              throw new TypeError(`fetch ${String(input)} with body ${String(init?.body)} failed`, {
                cause: error,
              });
            }
          },
        });
        const error = await caught(api.getAccessToken({ tokenManager }));
        assert.ok(error instanceof api.AuthNetworkError, String(error));
        for (const text of [...errorTexts(error), inspect(error, { depth: 10 })]) {
          assert.ok(!text.includes(CLIENT_KEY), text);
        }
        assert.ok(error.cause instanceof Error, "the cause is kept, redacted");
      });
    });
  });

  /**
   * Runs the client with `token-abort 300` and asserts that it fails as aborted and exits by
   * itself well before any timeout of the runtime (20 s) could have ended it.
   */
  async function assertExitsSoonAfterAbort(
    env: Record<string, string>,
    leftovers: () => Promise<string[]>,
  ): Promise<void> {
    const started = Date.now();
    const run = h.runClients(1, ["token-abort", "300"], env);
    const outcome = await Promise.race([run, sleep(12_000).then(() => undefined)]);
    assert.ok(
      outcome !== undefined,
      "the client was still running 12 s after it started (its caller aborted at 300 ms)",
    );
    const [child] = outcome;
    recordOutput(`${child?.stdout ?? ""}${child?.stderr ?? ""}`);
    const last = child?.stdout.trim().split("\n").at(-1) ?? "";
    const line = JSON.parse(last) as { error?: { code?: string; message?: string } };
    assert.equal(line.error?.code, "AUTH_NETWORK_ERROR", last);
    assert.match(line.error?.message ?? "", /aborted/);
    assert.equal(child?.code, 1);
    assert.ok(Date.now() - started < 12_000);
    assert.deepEqual(await leftovers(), []);
  }
}
