/** authFetch / createAuthFetch: a fetch-compatible function with the token, refresh and policy. */
import assert from "node:assert/strict";
import {
  CLIENT_KEY,
  caught,
  it,
  recordingFetch,
  type SentRequest,
  text,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export function authFetchSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("authFetch", () => {
    it(h, "createAuthFetch returns a fetch that adds the token and resolves paths", async () => {
      await withFixture(h, {}, async (f) => {
        const authFetch = api.createAuthFetch({ config: f.config });
        const response = await authFetch("/echo/a?x=1", { headers: { "x-trace": "t1" } });
        assert.ok(response instanceof Response);
        assert.equal(response.status, 200);
        assert.equal(response.ok, true);
        assert.equal(response.url, `${f.gateway.url}/echo/a?x=1`);
        const echo = (await response.json()) as Echo;
        assert.equal(echo.method, "GET");
        assert.equal(echo.path, "/echo/a");
        assert.deepEqual(echo.query, { x: "1" });
        assert.equal(echo.headers["x-trace"], "t1");
        assert.equal(echo.headers.authorization, "Bearer [redacted]");

        const byUrl = await authFetch(new URL(`${f.gateway.url}/echo`), {
          method: "POST",
          body: JSON.stringify({ a: 1 }),
          headers: { "content-type": "application/json" },
        });
        assert.equal(((await byUrl.json()) as Echo).body, '{"a":1}');
        assert.equal((await f.gateway.stats()).tokensIssued, 1);
      });
    });

    it(
      h,
      "a Request with a body is sent, and resent with the same bytes after an auth failure",
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "token-expired-body", route: "/echo", count: 1 }]);
          const recorder = recordingFetch();
          const authFetch = api.createAuthFetch({ config: f.config, fetch: recorder.fetch });
          const request = new Request(`${f.gateway.url}/echo`, {
            method: "PATCH",
            headers: { "content-type": "text/csv" },
            body: "a,b\n1,2\n",
          });
          const response = await authFetch(request);
          assert.equal(response.status, 200);
          const echo = (await response.json()) as Echo;
          assert.equal(echo.method, "PATCH");
          assert.equal(echo.body, "a,b\n1,2\n");
          assert.equal(echo.headers["content-type"], "text/csv");
          assert.equal(recorder.sent.length, 2);
          const [first, second] = recorder.sent as [SentRequest, SentRequest];
          assert.equal(text(second.body), text(first.body));
          assert.equal((await f.gateway.stats()).tokensIssued, 2);
        });
      },
    );

    it(
      h,
      "a gateway that always answers 401 gets two attempts and the 401 is returned",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "status", status: 401, route: "/echo" }]);
          const authFetch = api.createAuthFetch({ config: f.config });
          const response = await authFetch("/echo", { method: "POST", body: "x" });
          assert.equal(response.status, 401);
          assert.equal(response.ok, false);
          assert.equal(((await response.json()) as { error: string }).error, "unauthorized");
          assert.equal((await f.gateway.stats()).requests["/echo"], 2);
        });
      },
    );

    it(
      h,
      "the response's body reads as fetch's does: once, by any method, as a stream, and cloned",
      async () => {
        await withFixture(h, {}, async (f) => {
          const authFetch = api.createAuthFetch({ config: f.config });
          const expected = await (await authFetch("/echo/body")).text();
          assert.equal((JSON.parse(expected) as Echo).path, "/echo/body");

          const once = await authFetch("/echo/body");
          assert.equal(once.bodyUsed, false);
          assert.equal(once.headers.get("content-type"), "application/json; charset=utf-8");
          // As a constructed Response's, its headers may be changed (a proxy adding its own).
          once.headers.set("x-proxy", "1");
          assert.equal(once.headers.get("x-proxy"), "1");
          const copy = once.clone();
          assert.equal(await once.text(), expected);
          assert.equal(once.bodyUsed, true);
          assert.equal((await caught(once.text())) instanceof TypeError, true);
          assert.deepEqual(await copy.json(), JSON.parse(expected));

          const bytes = new Uint8Array(await (await authFetch("/echo/body")).arrayBuffer());
          assert.equal(new TextDecoder().decode(bytes), expected);
          const blob = await (await authFetch("/echo/body")).blob();
          assert.equal(await blob.text(), expected);
          assert.equal(blob.type, "application/json;charset=utf-8");

          const streamed = await authFetch("/echo/body");
          const body = streamed.body;
          assert.ok(body);
          assert.equal(streamed.body, body);
          assert.equal(await new Response(body).text(), expected);
          assert.equal(streamed.bodyUsed, true);
          assert.equal((await caught(streamed.arrayBuffer())) instanceof TypeError, true);

          const teed = await authFetch("/echo/body");
          assert.ok(teed.body);
          const twin = teed.clone();
          assert.equal(await teed.text(), expected);
          assert.equal(await twin.text(), expected);
        });
      },
    );

    it(h, "HEAD and 204 responses have no body", async () => {
      await withScriptedServer(
        (request) =>
          request.path === "/auth/session"
            ? { body: { accessToken: "t", expiresIn: 900 } }
            : { status: request.method === "DELETE" ? 204 : 200 },
        async (server) => {
          await withTempDir(async (dir) => {
            const config = api.createEnvConfig(
              { AUTH_BASE: server.url, CLIENT_KEY, AUTH_CACHE_DIR: dir },
              { envFile: false },
            );
            const authFetch = api.createAuthFetch({ config });
            const head = await authFetch("/thing", { method: "HEAD" });
            assert.equal(head.status, 200);
            assert.equal(await head.text(), "");
            const deleted = await authFetch("/thing", { method: "DELETE" });
            assert.equal(deleted.status, 204);
            assert.equal(deleted.body, null);
            assert.deepEqual(
              server.seen.map((r) => `${r.method} ${r.path} ${r.headers.authorization ?? ""}`),
              ["POST /auth/session ", "HEAD /thing Bearer t", "DELETE /thing Bearer t"],
            );
          });
        },
      );
    });

    it(h, "a foreign origin is refused before sending", async () => {
      await withFixture(h, {}, async (f) => {
        const authFetch = api.createAuthFetch({ config: f.config });
        const error = await caught(authFetch("https://elsewhere.example/steal"));
        assert.ok(error instanceof api.ApiError, String(error));
        assert.deepEqual((await f.gateway.stats()).requests, {});
      });
    });

    it(h, "an abort signal in init cancels the request", async () => {
      await withFixture(h, {}, async (f) => {
        await api.getAccessToken({ config: f.config });
        await f.gateway.setFaults([{ kind: "latency", ms: 20_000, route: "/echo" }]);
        const authFetch = api.createAuthFetch({ config: f.config });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const start = performance.now();
        const error = await caught(authFetch("/echo", { signal: controller.signal }));
        assert.ok(error instanceof api.ApiError, String(error));
        assert.match(error.message, /aborted/);
        assert.ok(performance.now() - start < 5000);
      });
    });

    it(h, "authFetch uses the config of the process environment", async () => {
      await withFixture(h, {}, async (f) => {
        const names = ["AUTH_BASE", "CLIENT_KEY", "AUTH_CACHE_DIR"] as const;
        const saved = names.map((name) => process.env[name]);
        process.env.AUTH_BASE = f.gateway.url;
        process.env.CLIENT_KEY = CLIENT_KEY;
        process.env.AUTH_CACHE_DIR = f.cacheDir;
        try {
          const response = await api.authFetch("/echo?from=env");
          assert.equal(response.status, 200);
          assert.deepEqual(((await response.json()) as Echo).query, { from: "env" });
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
        } finally {
          names.forEach((name, i) => {
            const value = saved[i];
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
          });
        }
      });
    });
  });
}
