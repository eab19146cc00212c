/**
 * The token request: its wire shape, the response variants, retries (Retry-After, 5xx, drops),
 * the per-attempt timeout, cancellation, and serving a still-valid token when a refresh fails.
 */
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import {
  CLIENT_KEY,
  caught,
  it,
  nowSec,
  requestsTo,
  type ScriptedReply,
  sleep,
  timed,
  timedError,
  unsignedJwt,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

export function tokenRequestSuite(h: Harness): void {
  const { api } = h;

  /** Runs `fn` with a config pointed at a scripted gateway answering the token request with `reply`. */
  async function withScriptedGateway(
    reply: ScriptedReply,
    fn: (config: ReturnType<typeof api.createEnvConfig>) => Promise<void>,
    env: Record<string, string> = {},
  ): Promise<void> {
    await withScriptedServer(
      () => reply,
      async (server) => {
        await withTempDir(async (dir) => {
          const config = api.createEnvConfig(
            { AUTH_BASE: server.url, CLIENT_KEY, AUTH_CACHE_DIR: `${dir}/cache`, ...env },
            { envFile: false },
          );
          await fn(config);
        });
      },
    );
  }

  h.t.describe("token request", () => {
    it(h, "is POST {authBase}{sessionPath} with the JSON body {clientKey}", async () => {
      await withScriptedServer(
        () => ({ body: { accessToken: "t-1", expiresIn: 900 } }),
        async (server) => {
          await withTempDir(async (dir) => {
            const config = api.createEnvConfig(
              {
                AUTH_BASE: `${server.url}/gw`,
                CLIENT_KEY,
                AUTH_CACHE_DIR: dir,
                AUTH_SESSION_PATH: "/v2/login",
              },
              { envFile: false },
            );
            assert.equal(await api.getAccessToken({ config }), "t-1");
            assert.equal(server.seen.length, 1);
            const [request] = server.seen;
            assert.equal(request?.method, "POST");
            assert.equal(request?.path, "/gw/v2/login");
            assert.match(request?.headers["content-type"] ?? "", /^application\/json/);
            assert.deepEqual(JSON.parse(request?.body ?? ""), { clientKey: CLIENT_KEY });
            assert.equal(request?.headers.authorization, undefined);
          });
        },
      );
    });

    const variants: [string, (now: number) => unknown, (now: number) => [number, number]][] = [
      [
        "camelCase accessToken + expiresIn",
        () => ({ accessToken: "v", expiresIn: 120 }),
        (n) => [120, n + 120],
      ],
      [
        "snake_case access_token + expires_in",
        () => ({ access_token: "v", expires_in: 300 }),
        (n) => [300, n + 300],
      ],
      [
        "expires_in as a numeric string",
        () => ({ access_token: "v", expires_in: "450" }),
        (n) => [450, n + 450],
      ],
      [
        'a {"code":0,"data":{…}} wrapper',
        () => ({ code: 0, msg: "ok", data: { accessToken: "v", expiresIn: 240 } }),
        (n) => [240, n + 240],
      ],
      [
        "snake_case inside a data wrapper",
        () => ({ code: 0, data: { access_token: "v", expires_in: 180 } }),
        (n) => [180, n + 180],
      ],
      [
        "expiresAt epoch seconds",
        (n) => ({ accessToken: "v", expiresAt: n + 500 }),
        (n) => [500, n + 500],
      ],
      [
        "expires_at epoch seconds",
        (n) => ({ access_token: "v", expires_at: n + 700 }),
        (n) => [700, n + 700],
      ],
      ["no lifetime at all: 900 s", () => ({ accessToken: "v" }), (n) => [900, n + 900]],
    ];
    for (const [name, body, expected] of variants) {
      it(h, `accepts a token response with ${name}`, async () => {
        const now = Math.floor(nowSec());
        await withScriptedGateway({ body: body(now) }, async (config) => {
          const info = await api.getAccessTokenInfo({ config });
          const [expiresIn, expiresAt] = expected(now);
          assert.equal(info.accessToken, "v");
          assert.ok(Math.abs(info.expiresIn - expiresIn) <= 2, `expiresIn ${info.expiresIn}`);
          assert.ok(Math.abs(info.expiresAt - expiresAt) <= 3, `expiresAt ${info.expiresAt}`);
        });
      });
    }

    it(h, "takes the lifetime from the JWT exp claim when the response has none", async () => {
      const exp = Math.floor(nowSec()) + 650;
      const token = unsignedJwt({ sub: "x", exp });
      await withScriptedGateway({ body: { accessToken: token } }, async (config) => {
        const info = await api.getAccessTokenInfo({ config });
        assert.equal(info.accessToken, token);
        assert.equal(info.expiresAt, exp);
        assert.ok(Math.abs(info.expiresIn - 650) <= 3, String(info.expiresIn));
      });
    });

    it(
      h,
      "a 2xx response without a token is an AuthSessionError that starts 'Missing accessToken'",
      async () => {
        for (const body of [{ code: 0, data: {} }, { accessToken: "" }, "<html>ok</html>", ""]) {
          await withScriptedGateway({ body }, async (config) => {
            const error = await caught(api.getAccessToken({ config }));
            assert.ok(error instanceof api.AuthSessionError, String(error));
            assert.ok(error.message.startsWith("Missing accessToken"), error.message);
          });
        }
      },
    );

    it(
      h,
      "a refused token request is an AuthSessionError that starts 'Auth session request failed', not retried",
      async () => {
        await withFixture(h, { gateway: { clientKeys: ["some-other-key"] } }, async (f) => {
          const error = await caught(api.getAccessToken({ config: f.config }));
          assert.ok(error instanceof api.AuthSessionError);
          assert.equal(error.code, "AUTH_SESSION_ERROR");
          assert.equal(error.status, 401);
          assert.ok(
            error.message.startsWith("Auth session request failed (HTTP 401"),
            error.message,
          );
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
        });
      },
    );

    it(h, "honours Retry-After on 429", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([
          { kind: "rate-limit", retryAfterSec: 1, route: "/auth/session", count: 1 },
        ]);
        const { ms, value } = await timed(() => api.getAccessTokenInfo({ config: f.config }));
        assert.equal(value.source, "network");
        assert.ok(ms >= 900, `waited only ${Math.round(ms)} ms`);
        assert.ok(ms < 8000, `waited ${Math.round(ms)} ms`);
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 2);
      });
    });

    it(
      h,
      "a Retry-After longer than the client waits fails at once, saying how long was asked",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([
            { kind: "rate-limit", retryAfterSec: 120, route: "/auth/session" },
          ]);
          const { ms, error } = await timedError(api.getAccessToken({ config: f.config }));
          assert.ok(error instanceof api.AuthSessionError);
          assert.ok(
            error.message.startsWith("Auth session request failed (HTTP 429"),
            error.message,
          );
          assert.match(error.message, /120 s/);
          assert.equal(error.retryAfterSec, 120);
          assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
        });
      },
    );

    it(h, "5xx then success succeeds", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([
          { kind: "status", status: 503, route: "/auth/session", count: 2 },
        ]);
        const info = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(info.source, "network");
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 3);
        assert.equal((await f.gateway.stats()).tokensIssued, 1);
      });
    });

    it(h, "a dropped connection then success succeeds", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "drop", route: "/auth/session", count: 1 }]);
        const info = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(info.source, "network");
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 2);
      });
    });

    it(h, "gives up after the retry limit with the last status", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "status", status: 500, route: "/auth/session" }]);
        const tokenManager = f.manager({ retry: { limit: 2, baseDelayMs: 10 } });
        const error = await caught(api.getAccessToken({ tokenManager }));
        assert.ok(error instanceof api.AuthSessionError);
        assert.ok(error.message.startsWith("Auth session request failed (HTTP 500"), error.message);
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 3);
      });
    });

    it(h, "a hung gateway fails within the timeout with AuthNetworkError", async () => {
      await withFixture(h, { env: { AUTH_TIMEOUT_MS: "300" } }, async (f) => {
        await f.gateway.setFaults([{ kind: "latency", ms: 20_000, route: "/auth/session" }]);
        const tokenManager = f.manager({ retry: { limit: 1, baseDelayMs: 10 } });
        const { ms, error } = await timedError(api.getAccessToken({ tokenManager }));
        assert.ok(error instanceof api.AuthNetworkError, String(error));
        assert.equal(error.code, "AUTH_NETWORK_ERROR");
        assert.equal(error.aborted, false);
        assert.ok(error.message.startsWith("Auth session request failed"), error.message);
        assert.match(error.message, /timed out/);
        assert.ok(ms >= 500, `two attempts of 300 ms took only ${Math.round(ms)} ms`);
        assert.ok(ms < 8000, `took ${Math.round(ms)} ms`);
      });
    });

    it(h, "a refused connection is an AuthNetworkError that says ECONNREFUSED", async () => {
      let url = "";
      await withScriptedServer(
        () => ({}),
        async (server) => {
          url = server.url;
        },
      );
      await withTempDir(async (dir) => {
        const config = api.createEnvConfig(
          { AUTH_BASE: url, CLIENT_KEY, AUTH_CACHE_DIR: dir },
          { envFile: false },
        );
        const tokenManager = api.createTokenManager({
          config,
          retry: { limit: 1, baseDelayMs: 10 },
        });
        const error = await caught(api.getAccessToken({ tokenManager }));
        assert.ok(error instanceof api.AuthNetworkError, String(error));
        assert.ok(error.message.startsWith("Auth session request failed"), error.message);
        // Node's fetch says only "fetch failed"; the reason is in its cause.
        assert.match(error.message, /ECONNREFUSED/);
      });
    });

    it(h, "an abort signal cancels a token request in flight", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "latency", ms: 20_000, route: "/auth/session" }]);
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 150);
        const { ms, error } = await timedError(
          api.getAccessToken({ config: f.config, signal: controller.signal }),
        );
        assert.ok(error instanceof api.AuthNetworkError, String(error));
        assert.equal(error.aborted, true);
        assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
      });
    });

    it(h, "an aborted signal fails at once without a request or a file", async () => {
      await withFixture(h, {}, async (f) => {
        const signal = AbortSignal.abort();
        for (const call of [
          () => api.getAccessToken({ config: f.config, signal }),
          () => api.getAccessTokenInfo({ config: f.config, signal }),
          () => api.refreshAccessToken({ config: f.config, signal }),
          () => api.requestApiWithAutoRefresh({ config: f.config, url: "/echo", signal }),
        ]) {
          const error = await caught(call());
          assert.ok(error instanceof api.AuthNetworkError, String(error));
          assert.equal(error.aborted, true);
        }
        // Nothing was started in the background either.
        await sleep(300);
        assert.deepEqual((await f.gateway.stats()).requests, {});
        await assert.rejects(stat(f.cacheDir), { code: "ENOENT" });
      });
    });

    it(h, "one caller aborting does not fail the others sharing the request", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "latency", ms: 400, route: "/auth/session" }]);
        const controller = new AbortController();
        const aborted = api.getAccessToken({ config: f.config, signal: controller.signal });
        const patient = api.getAccessToken({ config: f.config });
        setTimeout(() => controller.abort(), 50);
        const error = await caught(aborted);
        assert.ok(error instanceof api.AuthNetworkError);
        assert.match(await patient, /\S+/);
        assert.equal((await f.gateway.stats()).tokensIssued, 1);
      });
    });

    it(h, "a refresh failure while the old token is still valid serves the old token", async () => {
      // Tokens live 30 s, refreshes start 60 s before expiry: every token is due at once.
      await withFixture(
        h,
        { gateway: { ttlSec: 30 }, env: { AUTH_MIN_TTL_SEC: "60" } },
        async (f) => {
          const tokenManager = f.manager({ retry: { limit: 1, baseDelayMs: 10 } });
          const first = await api.getAccessTokenInfo({ tokenManager });
          assert.equal(first.source, "network");
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);

          const again = await api.getAccessTokenInfo({ tokenManager });
          assert.equal(again.source, "stale");
          assert.equal(again.accessToken, first.accessToken);
          assert.ok(
            f.warnings.some((w) => /refresh failed/.test(w)),
            JSON.stringify(f.warnings),
          );
          // The stale token still works for API calls.
          const response = await api.requestApiWithAutoRefresh({ tokenManager, url: "/echo" });
          assert.equal(response.status, 200);
        },
      );
    });

    it(
      h,
      "an explicit refresh that fails is an error even while the old token is valid",
      async () => {
        await withFixture(h, {}, async (f) => {
          const tokenManager = f.manager({ retry: { limit: 0 } });
          const old = await api.getAccessToken({ tokenManager });
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
          const error = await caught(api.refreshAccessToken({ tokenManager }));
          assert.ok(error instanceof api.AuthSessionError);
          // The old token is still served to plain callers.
          assert.equal(await api.getAccessToken({ tokenManager }), old);
        });
      },
    );

    it(h, "a refresh failure with no valid token left is an error", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
        const tokenManager = f.manager({ retry: { limit: 0 } });
        const error = await caught(api.getAccessToken({ tokenManager }));
        assert.ok(error instanceof api.AuthSessionError);
      });
    });
  });
}
