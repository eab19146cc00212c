/**
 * Errors are classes with a code, and the client key appears in no error, log line, file name,
 * file or output: a tour of every failure, then a sweep of everything the suite recorded.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { runInNewContext } from "node:vm";
import {
  CLIENT_KEY,
  caught,
  errorTexts,
  it,
  producedOutput,
  recordOutput,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** Every file name and file content under `dir`. */
async function treeTexts(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const parent = (entry as { parentPath?: string; path?: string }).parentPath ?? dir;
    const path = join(parent, entry.name);
    out.push(path);
    if (entry.isFile()) out.push(await readFile(path, "utf8"));
  }
  return out;
}

/**
 * Whether `text` holds `key` raw, JSON-escaped, or base64/base64url-encoded inside any run of
 * base64 characters (at every alignment), the way an echoing gateway could hand it back.
 */
function holdsKey(text: string, key: string): boolean {
  if (text.includes(key) || text.includes(JSON.stringify(key).slice(1, -1))) return true;
  const wanted = [key, JSON.stringify(key).slice(1, -1)];
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    const standard = run.replace(/-/g, "+").replace(/_/g, "/");
    for (let skip = 0; skip < 4; skip++) {
      const usable = Math.floor((standard.length - skip) / 4) * 4;
      let decoded: string;
      try {
        decoded = atob(standard.slice(skip, skip + usable));
      } catch {
        continue;
      }
      const bytes = Uint8Array.from(decoded, (c) => c.charCodeAt(0));
      const utf8 = new TextDecoder().decode(bytes);
      if (wanted.some((form) => utf8.includes(form))) return true;
    }
  }
  return false;
}

/** A token endpoint answering 401 with `body(request body)`: the error it causes, for `key`. */
async function echoedFailure(
  h: Harness,
  key: string,
  body: (requestBody: string) => string,
): Promise<Error> {
  let error: Error | undefined;
  await withScriptedServer(
    (request) => ({ status: 401, body: body(request.body) }),
    async (server) => {
      await withTempDir(async (dir) => {
        const config = h.api.createEnvConfig(
          { AUTH_BASE: server.url, CLIENT_KEY: key, AUTH_CACHE_DIR: dir },
          { envFile: false },
        );
        error = await caught(h.api.getAccessToken({ config }));
      });
    },
  );
  return error as Error;
}

const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

function assertNoKey(texts: readonly string[], where: string): void {
  const leaks = texts.filter((t) => t.includes(CLIENT_KEY));
  assert.deepEqual(leaks, [], `the client key leaked into ${where}`);
}

export function errorsAndSecretsSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("errors and secrets", () => {
    it(h, "errors are classes with a name, a code and the cause kept", async () => {
      const config = new api.ConfigError("x");
      const session = new api.AuthSessionError("x", { status: 500 });
      const network = new api.AuthNetworkError("x", {
        cause: new Error("root"),
        reason: "network",
        request: "POST https://a.example/auth/session",
      });
      const apiError = new api.ApiError("x", {
        reason: "refused",
        request: "GET https://a.example/",
      });
      for (const [error, name, code] of [
        [config, "ConfigError", "CONFIG_ERROR"],
        [session, "AuthSessionError", "AUTH_SESSION_ERROR"],
        [network, "AuthNetworkError", "AUTH_NETWORK_ERROR"],
        [apiError, "ApiError", "API_ERROR"],
      ] as const) {
        assert.ok(error instanceof Error);
        assert.ok(error instanceof api.AuthRuntimeError);
        assert.ok(api.isAuthRuntimeError(error));
        assert.equal(error.name, name);
        assert.equal(error.code, code);
      }
      assert.equal((network.cause as Error).message, "root");
      assert.deepEqual(Object.values(api.ErrorCode).sort(), [
        "API_ERROR",
        "AUTH_NETWORK_ERROR",
        "AUTH_SESSION_ERROR",
        "CONFIG_ERROR",
      ]);
      assert.equal(api.isAuthRuntimeError(new Error("plain")), false);
    });

    it(
      h,
      "each failed API request says why in a plain reason, with its request and no query",
      async () => {
        await withFixture(h, { env: { AUTH_TIMEOUT_MS: "300" } }, async (f) => {
          const tokenManager = f.manager({ retry: { limit: 0 } });
          await f.gateway.setFaults([
            { kind: "latency", ms: 5000, route: "/echo/slow" },
            { kind: "drop", route: "/echo/drop" },
          ]);
          const call = (url: string, signal?: AbortSignal) =>
            api.requestApiWithAutoRefresh({
              tokenManager,
              url,
              method: "POST",
              ...(signal ? { signal } : {}),
            });
          const controller = new AbortController();
          setTimeout(() => controller.abort(), 50);
          const cases: [Error, string, string][] = [
            [
              await caught(call("https://elsewhere.example/x?key=1")),
              "refused",
              "POST https://elsewhere.example/x",
            ],
            [
              await caught(
                api.requestApi({ url: "http://gw.example.com/x?key=1", authToken: "t" }),
              ),
              "refused",
              "GET http://gw.example.com/x",
            ],
            [await caught(call("https://[bad/x")), "refused", "POST https://[bad/x"],
            [await caught(call("/echo/slow?q=1")), "timeout", `POST ${f.gateway.url}/echo/slow`],
            [await caught(call("/echo/drop")), "network", `POST ${f.gateway.url}/echo/drop`],
            [
              await caught(call("/echo/slow", controller.signal)),
              "aborted",
              `POST ${f.gateway.url}/echo/slow`,
            ],
          ];
          for (const [error, reason, request] of cases) {
            // What a caller with another copy of the package can test: plain properties.
            assert.ok(api.isAuthRuntimeError(error), String(error));
            assert.ok(error.code === "API_ERROR", error.message);
            assert.equal(error.reason, reason, error.message);
            assert.equal(error.request, request);
            assert.equal(error.name, "ApiError");
          }
        });
      },
    );

    it(
      h,
      "a token request failing says why: timeout after AUTH_TIMEOUT_MS per attempt, network, aborted, each with its request",
      async () => {
        await withFixture(h, { env: { AUTH_TIMEOUT_MS: "300" } }, async (f) => {
          const request = `POST ${f.gateway.url}/auth/session`;
          await f.gateway.setFaults([{ kind: "latency", ms: 5000, route: "/auth/session" }]);
          let started = performance.now();
          const timeout = await caught(
            api.getAccessToken({ tokenManager: f.manager({ retry: { limit: 0 } }) }),
          );
          let elapsed = performance.now() - started;
          assert.ok(api.isAuthRuntimeError(timeout) && timeout.code === "AUTH_NETWORK_ERROR");
          assert.equal(timeout.reason, "timeout", timeout.message);
          assert.equal(timeout.aborted, false);
          assert.equal(timeout.request, request);
          assert.ok(elapsed >= 280 && elapsed < 2500, `timed out after ${elapsed} ms`);

          // Each attempt has its own AUTH_TIMEOUT_MS: two attempts take two of them.
          started = performance.now();
          const retried = await caught(
            api.getAccessToken({
              tokenManager: f.manager({ retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
            }),
          );
          elapsed = performance.now() - started;
          assert.ok(api.isAuthRuntimeError(retried) && retried.code === "AUTH_NETWORK_ERROR");
          assert.equal(retried.reason, "timeout", retried.message);
          assert.match(retried.message, /timed out after 300 ms .*2 attempts/);
          assert.ok(elapsed >= 580 && elapsed < 4000, `two attempts took ${elapsed} ms`);

          const controller = new AbortController();
          setTimeout(() => controller.abort(), 50);
          const aborted = await caught(
            api.getAccessToken({ tokenManager: f.manager(), signal: controller.signal }),
          );
          assert.ok(api.isAuthRuntimeError(aborted) && aborted.code === "AUTH_NETWORK_ERROR");
          assert.equal(aborted.reason, "aborted");
          assert.equal(aborted.aborted, true);
          assert.equal(aborted.request, request);

          await f.gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
          const network = await caught(
            api.getAccessToken({ tokenManager: f.manager({ retry: { limit: 0 } }) }),
          );
          assert.ok(api.isAuthRuntimeError(network) && network.code === "AUTH_NETWORK_ERROR");
          assert.equal(network.reason, "network", network.message);
          assert.equal(network.aborted, false);
          assert.equal(network.request, request);

          await f.gateway.setFaults([{ kind: "status", status: 400, route: "/auth/session" }]);
          const session = await caught(api.getAccessToken({ tokenManager: f.manager() }));
          assert.ok(api.isAuthRuntimeError(session) && session.code === "AUTH_SESSION_ERROR");
          assert.equal(session.status, 400);
          assert.equal(session.request, request);
        });
      },
    );

    it(
      h,
      "isAuthRuntimeError knows an error of another realm by its code, and nothing that is not an error",
      () => {
        const foreign: unknown = runInNewContext(
          'Object.assign(new Error("refused"), { name: "ApiError", code: "API_ERROR", reason: "refused", request: "GET https://a.example/x" })',
        );
        assert.equal(foreign instanceof Error, false);
        assert.ok(api.isAuthRuntimeError(foreign));
        assert.ok(foreign.code === "API_ERROR");
        assert.equal(foreign.reason, "refused");
        assert.equal(api.isAuthRuntimeError({ code: "API_ERROR", message: "x" }), false);
        assert.equal(
          api.isAuthRuntimeError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })),
          false,
        );
      },
    );

    it(
      h,
      "no error, warning, file or file name from any failure carries the client key",
      async () => {
        const texts: string[] = [];
        const tokens: string[] = [];
        const keep = (error: Error) => texts.push(...errorTexts(error));

        // A gateway that echoes the request (the key included) in its answers.
        const echoing = (status: number) =>
          withScriptedServer(
            (request) => ({ status, body: `{"error":"bad","received":${request.body}}` }),
            async (server) => {
              await withTempDir(async (dir) => {
                const config = api.createEnvConfig(
                  { AUTH_BASE: server.url, CLIENT_KEY, AUTH_CACHE_DIR: dir },
                  { envFile: false },
                );
                const tokenManager = api.createTokenManager({
                  config,
                  retry: { limit: 0 },
                  onWarning: (w) => texts.push(w),
                });
                keep(await caught(api.getAccessToken({ tokenManager })));
                texts.push(...(await treeTexts(dir)));
              });
            },
          );
        await echoing(400);
        await echoing(500);
        await echoing(200); // 2xx without a token: "Missing accessToken" with a body excerpt.

        await withFixture(
          h,
          { gateway: { ttlSec: 30 }, env: { AUTH_MIN_TTL_SEC: "60", AUTH_TIMEOUT_MS: "300" } },
          async (f) => {
            const tokenManager = f.manager({ retry: { limit: 0 } });
            tokens.push(await api.getAccessToken({ tokenManager }));
            // Refresh failures while the token is valid: served stale, with a warning.
            await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
            await api.getAccessToken({ tokenManager });
            await f.gateway.setFaults([{ kind: "latency", ms: 5000, route: "/auth/session" }]);
            keep(await caught(api.refreshAccessToken({ tokenManager })));
            await f.gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
            keep(await caught(api.refreshAccessToken({ tokenManager })));
            // API calls that fail: foreign origin, timeout, abort, dropped connection.
            await f.gateway.setFaults([
              { kind: "latency", ms: 5000, route: "/echo/slow" },
              { kind: "drop", route: "/echo/drop" },
            ]);
            const call = (url: string, signal?: AbortSignal) =>
              api.requestApiWithAutoRefresh({
                tokenManager,
                url,
                body: { clientKeyLike: "nothing" },
                method: "POST",
                ...(signal ? { signal } : {}),
              });
            keep(await caught(call(`https://elsewhere.example/?key=${CLIENT_KEY}`)));
            keep(await caught(call("/echo/slow")));
            keep(await caught(call("/echo/drop")));
            keep(await caught(call("/echo/slow", AbortSignal.timeout(50))));
            texts.push(...f.warnings, ...(await treeTexts(f.root)));
            texts.push(
              JSON.stringify(f.config),
              inspect(f.config),
              inspect(tokenManager, { depth: 3 }),
            );
          },
        );

        // An unknown key, a refused connection.
        await withFixture(h, { gateway: { clientKeys: ["other"] } }, async (f) => {
          keep(await caught(api.getAccessToken({ config: f.config })));
          await f.gateway.stop();
          const tokenManager = f.manager({ retry: { limit: 0 } });
          keep(await caught(api.getAccessToken({ tokenManager })));
          texts.push(...f.warnings);
        });

        for (const text of texts) recordOutput(text);
        assert.ok(texts.length > 20, `the tour produced ${texts.length} texts`);
        assertNoKey(texts, "an error, warning or file");
        // Nor the token, outside the cache file that holds it.
        const outsideCache = texts.filter((t) => !t.startsWith('{"access_token"'));
        for (const token of tokens) {
          assert.deepEqual(
            outsideCache.filter((t) => t.includes(token)),
            [],
            "the token leaked",
          );
        }
      },
    );

    it(
      h,
      "a token endpoint that echoes a key holding quote and backslash JSON-escaped in a 4xx: the AuthSessionError holds no form of it",
      async () => {
        const key = 'ck-live-"CANARY"\\7f3a9c';
        const error = await echoedFailure(
          h,
          key,
          (sent) => `{"error":"bad key","received":${sent}}`,
        );
        assert.ok(error instanceof h.api.AuthSessionError, String(error));
        assert.ok(error.message.includes("[redacted]"), error.message);
        assert.equal(holdsKey(error.message, key), false, error.message);
      },
    );

    it(
      h,
      "a token endpoint that echoes the key base64-encoded in a 4xx: the AuthSessionError holds no form of it",
      async () => {
        const error = await echoedFailure(
          h,
          CLIENT_KEY,
          (sent) =>
            `{"error":"bad key","request":"${base64(sent)}","key":"${base64(CLIENT_KEY).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}","basic":"${base64(`my-client:${CLIENT_KEY}`)}"}`,
        );
        assert.ok(error instanceof h.api.AuthSessionError, String(error));
        assert.ok(error.message.includes("[redacted]"), error.message);
        assert.equal(holdsKey(error.message, CLIENT_KEY), false, error.message);
      },
    );

    it(h, "the seed's messages start the matching errors", async () => {
      const missing = await caught(() => api.createEnvConfig({}, { envFile: false }));
      assert.ok(missing.message.startsWith("CLIENT_KEY is required"));
      await withFixture(h, { gateway: { clientKeys: ["other"] } }, async (f) => {
        const refused = await caught(api.getAccessToken({ config: f.config }));
        assert.ok(refused.message.startsWith("Auth session request failed"), refused.message);
      });
      await withScriptedServer(
        () => ({ body: { code: 0, data: null } }),
        async (server) => {
          await withTempDir(async (dir) => {
            const config = api.createEnvConfig(
              { AUTH_BASE: server.url, CLIENT_KEY, AUTH_CACHE_DIR: dir },
              { envFile: false },
            );
            const noToken = await caught(api.getAccessToken({ config }));
            assert.ok(noToken.message.startsWith("Missing accessToken"), noToken.message);
          });
        },
      );
    });
  });
}

/** Registered last: scans everything the suite recorded (errors, console lines, client output). */
export function secretSweepSuite(h: Harness): void {
  h.t.describe("secret sweep", () => {
    it(h, "no error message or log line produced by the suite contains the client key", () => {
      assertNoKey(producedOutput(), "the suite's errors and log lines");
    });
  });
}
