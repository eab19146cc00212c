/**
 * requestApiWithAutoRefresh: an auth failure (401, 403, an HTTP 200 "token expired" body) causes
 * exactly one refresh and one resend of the same body; the detector is replaceable.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import {
  CLIENT_KEY,
  type Fixture,
  it,
  nowSec,
  recordingFetch,
  requestsTo,
  type ScriptedServer,
  type SentRequest,
  timedError,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

const BODY = { url: "https://detail.1688.com/offer/610947572360.html", note: "same bytes" };

/** Asserts both requests carried the same method, URL and body bytes, and different tokens. */
function assertResent(sent: readonly SentRequest[]): void {
  assert.equal(sent.length, 2, `expected one send and one resend, got ${sent.length}`);
  const [first, second] = sent as [SentRequest, SentRequest];
  assert.equal(second.method, first.method);
  assert.equal(second.url, first.url);
  assert.deepEqual(second.body, first.body);
  assert.notEqual(second.headers.get("authorization"), first.headers.get("authorization"));
}

/** Plants a fresh-looking token the gateway never issued: the gateway answers 401. */
async function plantForgedToken(h: Harness, f: Fixture): Promise<void> {
  await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
  await writeFile(
    h.api.cacheFilePath(f.config),
    JSON.stringify({
      access_token: "forged.token.value",
      expires_at: nowSec() + 600,
      expires_in: 900,
    }),
    { mode: 0o600 },
  );
}

/**
 * Bodies that say "your token is bad" by their words alone, with no 401/403 code anywhere, in
 * HTTP 200 as gateways send them. Each must cause one refresh and one resend.
 */
const MARKER_ONLY_BODIES: readonly Record<string, string>[] = [
  { message: "Token expired" },
  { error: "Unauthorized" },
  { msg: "token expired" },
  { errmsg: "access token is expired" },
  { error_description: "The access token expired" },
  { error: "unauthorised" },
  { errorCode: "INVALID_TOKEN" },
  { error_code: "token_invalid" },
];

/**
 * A gateway scripted on loopback: its token endpoint issues tok-1, tok-2, …; `/data` answers
 * `refused` to tok-1 and `{ ok: true }` to any later token.
 */
async function withMarkerGateway(
  refused: unknown,
  fn: (gateway: ScriptedServer) => Promise<void>,
): Promise<void> {
  let issued = 0;
  await withScriptedServer((request) => {
    if (request.path === "/auth/session") {
      issued++;
      return { body: { accessToken: `tok-${issued}`, expiresIn: 900 } };
    }
    return request.headers.authorization === "Bearer tok-1"
      ? { body: refused }
      : { body: { ok: true } };
  }, fn);
}

export function autoRefreshSuite(h: Harness): void {
  const { api } = h;

  /** The requests `gateway` saw to `path`, and the Authorization each carried. */
  const seenAt = (gateway: ScriptedServer, path: string) =>
    gateway.seen.filter((r) => r.path === path).map((r) => r.headers.authorization ?? null);

  const configFor = (base: string, dir: string) =>
    api.createEnvConfig({ AUTH_BASE: base, CLIENT_KEY, AUTH_CACHE_DIR: dir }, { envFile: false });

  h.t.describe("auto refresh", () => {
    it(h, "a 401 causes exactly one refresh and one resend of the same body", async () => {
      await withFixture(h, {}, async (f) => {
        await plantForgedToken(h, f);
        const recorder = recordingFetch();
        const response = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "POST",
          url: "/echo",
          body: BODY,
          fetch: recorder.fetch,
        });
        assert.equal(response.status, 200);
        assert.deepEqual(JSON.parse(response.json<{ body: string }>().body), BODY);
        assertResent(recorder.sent);
        assert.equal(recorder.sent[0]?.headers.get("authorization"), "Bearer forged.token.value");
        const stats = await f.gateway.stats();
        assert.equal(stats.tokensIssued, 1);
        assert.equal(stats.requests["/echo"], 2);
        assert.equal(stats.authFailures, 1);
      });
    });

    it(h, "concurrent auth failures of the same token share one refresh", async () => {
      await withFixture(h, {}, async (f) => {
        await plantForgedToken(h, f);
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            api.requestApiWithAutoRefresh({
              config: f.config,
              method: "POST",
              url: "/echo",
              body: { i },
            }),
          ),
        );
        assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
        const stats = await f.gateway.stats();
        assert.equal(stats.tokensIssued, 1);
        assert.equal(stats.requests["/echo"], 100);
      });
    });

    it(
      h,
      "after a refresh the cache file holds the new token, even if the refused one claimed a later expiry",
      async () => {
        await withFixture(h, {}, async (f) => {
          await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
          await writeFile(
            h.api.cacheFilePath(f.config),
            JSON.stringify({
              access_token: "revoked.long.lived",
              expires_at: nowSec() + 86_400,
              expires_in: 86_400,
            }),
            { mode: 0o600 },
          );
          const response = await api.requestApiWithAutoRefresh({ config: f.config, url: "/echo" });
          assert.equal(response.status, 200);
          const fresh = await api.getAccessToken({ config: f.config });
          // Another process now reads the new token, not the refused one.
          const other = await api.getAccessTokenInfo({ tokenManager: f.manager() });
          assert.equal(other.accessToken, fresh);
          assert.equal(other.source, "cache");
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
        });
      },
    );

    it(h, "a 403 causes exactly one refresh and one resend of the same body", async () => {
      await withFixture(h, {}, async (f) => {
        const old = await api.getAccessToken({ config: f.config });
        await f.gateway.revokeAll();
        const recorder = recordingFetch();
        const response = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "PUT",
          url: "/echo/item",
          body: BODY,
          fetch: recorder.fetch,
        });
        assert.equal(response.status, 200);
        assertResent(recorder.sent);
        assert.equal(recorder.sent[0]?.headers.get("authorization"), `Bearer ${old}`);
        const stats = await f.gateway.stats();
        assert.equal(stats.tokensIssued, 2);
        assert.equal(stats.requests["/echo/item"], 2);
        // Later calls use the new token without another refresh.
        assert.equal(
          (await api.requestApiWithAutoRefresh({ config: f.config, url: "/echo" })).status,
          200,
        );
        assert.equal((await f.gateway.stats()).tokensIssued, 2);
      });
    });

    it(
      h,
      'an HTTP 200 "token expired" body causes exactly one refresh and one resend of the same body',
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "token-expired-body", route: "/echo", count: 1 }]);
          const recorder = recordingFetch();
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            body: BODY,
            fetch: recorder.fetch,
          });
          assert.equal(response.status, 200);
          assert.equal(response.json<{ method: string }>().method, "POST");
          assertResent(recorder.sent);
          const stats = await f.gateway.stats();
          assert.equal(stats.tokensIssued, 2);
          assert.equal(stats.requests["/echo"], 2);
        });
      },
    );

    it(h, "a gateway that always answers 401 gets exactly two attempts", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "status", status: 401, route: "/echo" }]);
        const response = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "POST",
          url: "/echo",
          body: BODY,
        });
        assert.equal(response.status, 401);
        assert.equal(response.ok, false);
        const stats = await f.gateway.stats();
        assert.equal(stats.requests["/echo"], 2);
        assert.equal(stats.tokensIssued, 2);
      });
    });

    it(
      h,
      'an HTTP 200 body whose only sign is an error word ("Token expired", "Unauthorized", …) causes one refresh and one resend',
      async () => {
        for (const refused of MARKER_ONLY_BODIES) {
          await withMarkerGateway(refused, (gateway) =>
            withTempDir(async (dir) => {
              const response = await api.requestApiWithAutoRefresh({
                config: configFor(gateway.url, dir),
                url: "/data",
              });
              const shape = JSON.stringify(refused);
              assert.equal(response.status, 200, shape);
              assert.deepEqual(response.json(), { ok: true }, shape);
              assert.deepEqual(seenAt(gateway, "/data"), ["Bearer tok-1", "Bearer tok-2"], shape);
              assert.equal(seenAt(gateway, "/auth/session").length, 2, shape);
            }),
          );
        }
      },
    );

    it(
      h,
      "the same words outside the error fields, or in a body that is not a JSON object, are data: no refresh",
      async () => {
        const data = [
          { title: "Token expired", detail: "unauthorized" },
          { data: { message: "Token expired" } },
          "Token expired",
          '["Unauthorized"]',
        ];
        for (const body of data) {
          await withMarkerGateway(body, (gateway) =>
            withTempDir(async (dir) => {
              const response = await api.requestApiWithAutoRefresh({
                config: configFor(gateway.url, dir),
                url: "/data",
              });
              const shape = JSON.stringify(body);
              assert.equal(response.status, 200, shape);
              assert.equal(response.body, typeof body === "string" ? body : shape);
              assert.deepEqual(seenAt(gateway, "/data"), ["Bearer tok-1"], shape);
              assert.equal(seenAt(gateway, "/auth/session").length, 1, shape);
            }),
          );
        }
      },
    );

    it(
      h,
      'a gateway that always answers HTTP 200 "token expired" gets exactly two attempts',
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "token-expired-body", route: "/echo" }]);
          const response = await api.requestApiWithAutoRefresh({ config: f.config, url: "/echo" });
          assert.equal(response.status, 200);
          assert.deepEqual(response.json(), { code: 401, msg: "token expired" });
          assert.equal(await requestsTo(f.gateway, "/echo"), 2);
        });
      },
    );

    it(h, "other failures (404, 500) are returned without a refresh", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "status", status: 500, route: "/echo", count: 1 }]);
        // retry: 0: a GET meeting 500 is retried by default (the API retries suite's subject).
        const failed = await api.requestApiWithAutoRefresh({
          config: f.config,
          url: "/echo",
          retry: 0,
        });
        assert.equal(failed.status, 500);
        const missing = await api.requestApiWithAutoRefresh({ config: f.config, url: "/nowhere" });
        assert.equal(missing.status, 404);
        const stats = await f.gateway.stats();
        assert.equal(stats.requests["/echo"], 1);
        assert.equal(stats.tokensIssued, 1);
      });
    });

    it(h, "the auth-failure detector is replaceable", async () => {
      await withFixture(h, {}, async (f) => {
        await api.getAccessToken({ config: f.config });
        // A detector that also treats 418 as "log in again".
        await f.gateway.setFaults([{ kind: "status", status: 418, route: "/echo", count: 1 }]);
        const teapot = await api.requestApiWithAutoRefresh({
          config: f.config,
          url: "/echo",
          isAuthFailure: (response) => response.status === 418 || api.isAuthFailure(response),
        });
        assert.equal(teapot.status, 200);
        assert.equal((await f.gateway.stats()).tokensIssued, 2);

        // A detector that never sees a failure: a 401 is returned after one attempt.
        await f.gateway.setFaults([{ kind: "status", status: 401, route: "/echo", count: 1 }]);
        await f.gateway.resetStats();
        const seen: number[] = [];
        const unauthorized = await api.requestApiWithAutoRefresh({
          config: f.config,
          url: "/echo",
          isAuthFailure: (response) => {
            seen.push(response.status);
            return false;
          },
        });
        assert.equal(unauthorized.status, 401);
        assert.deepEqual(seen, [401]);
        const stats = await f.gateway.stats();
        assert.equal(stats.requests["/echo"], 1);
        assert.equal(stats.tokensIssued, 0);
      });
    });

    it(h, "the default detector reads 401/403 and token-error bodies, not ordinary ones", () => {
      const response = (status: number, body: unknown) =>
        new api.ApiResponse({
          status,
          body: typeof body === "string" ? body : JSON.stringify(body),
          url: "http://127.0.0.1/x",
        });
      const failures = [
        response(401, ""),
        response(403, "forbidden"),
        response(200, { code: 401, msg: "token expired" }),
        response(200, { code: "403", msg: "no" }),
        response(200, '{ "status" : 403, "message": "forbidden" }'),
        response(200, { errcode: 401 }),
        response(200, { error: "invalid_token" }),
        response(400, { message: "Unauthorized" }),
      ];
      const fine = [
        response(200, { code: 0, data: { title: "expired milk" } }),
        response(200, { code: 0, data: { code: 401, url: "http://127.0.0.1:40123/" } }),
        response(200, "token expired"),
        response(404, { error: "not_found" }),
        response(500, { error: "internal_error" }),
      ];
      for (const r of failures) assert.equal(api.isAuthFailure(r), true, `${r.status} ${r.body}`);
      for (const r of fine) assert.equal(api.isAuthFailure(r), false, `${r.status} ${r.body}`);
    });

    it(h, "requestApi sends the given token as it is and never refreshes", async () => {
      await withFixture(h, {}, async (f) => {
        const response = await api.requestApi({
          config: f.config,
          method: "GET",
          url: "/echo",
          authToken: "not-a-real-token",
        });
        assert.equal(response.status, 401);
        const stats = await f.gateway.stats();
        assert.equal(stats.tokensIssued, 0);
        assert.equal(stats.requests["/echo"], 1);

        const token = await api.getAccessToken({ config: f.config });
        const ok = await api.requestApi({ url: `${f.gateway.url}/echo?a=1`, authToken: token });
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.json<{ query: unknown }>().query, { a: "1" });
      });
    });
    it(
      h,
      "a hung API request fails after AUTH_TIMEOUT_MS with an ApiError; each later request gets its own full time",
      async () => {
        await withFixture(h, { env: { AUTH_TIMEOUT_MS: "1500" } }, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "latency", ms: 20_000, route: "/echo", count: 1 }]);
          const { ms, error } = await timedError(
            api.requestApiWithAutoRefresh({ config: f.config, url: "/echo" }),
          );
          assert.ok(error instanceof api.ApiError, String(error));
          assert.match(error.message, /timed out after 1500 ms/);
          assert.ok(ms >= 1450 && ms < 8000, `took ${Math.round(ms)} ms`);
          // Three requests of 900 ms each, one after another: together past the timeout, each
          // within it (with room for a loaded machine). A timeout that counted from an earlier
          // request would fail them.
          await f.gateway.setFaults([{ kind: "latency", ms: 900, route: "/echo", count: 3 }]);
          for (let i = 0; i < 3; i++) {
            const response = await api.requestApiWithAutoRefresh({
              config: f.config,
              url: "/echo",
            });
            assert.equal(response.status, 200);
          }
        });
      },
    );
  });
}
