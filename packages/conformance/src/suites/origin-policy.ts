/** Where the token may go: authBase's origin, listed origins, https (plain http only to loopback). */
import assert from "node:assert/strict";
import {
  CLIENT_KEY,
  caught,
  it,
  type ScriptedServer,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

const ok = () => ({ body: { ok: true } });

export function originPolicySuite(h: Harness): void {
  const { api } = h;

  h.t.describe("origin policy", () => {
    it(h, "a relative path resolves against authBase", async () => {
      await withFixture(h, {}, async (f) => {
        for (const url of ["/echo/rel", "echo/rel"]) {
          const response = await api.requestApiWithAutoRefresh({ config: f.config, url });
          assert.equal(response.url, `${f.gateway.url}/echo/rel`);
          assert.equal(response.status, 200);
        }
      });
    });

    it(h, "the token is not sent to a foreign origin: the call fails before sending", async () => {
      await withScriptedServer(ok, async (foreign) => {
        await withFixture(h, {}, async (f) => {
          const gatewayPort = new URL(f.gateway.url).port;
          const foreignUrls = [
            `${foreign.url}/collect`,
            `//127.0.0.1:${new URL(foreign.url).port}/collect`,
            `http://localhost:${gatewayPort}/echo`, // Same server, another origin.
            `${f.gateway.url}@127.0.0.1:${new URL(foreign.url).port}/collect`,
          ];
          for (const url of foreignUrls) {
            const error = await caught(
              api.requestApiWithAutoRefresh({
                config: f.config,
                method: "POST",
                url,
                body: { a: 1 },
              }),
            );
            assert.ok(error instanceof api.ApiError, `${url}: ${error}`);
            assert.equal(error.code, "API_ERROR");
            // A protocol-relative URL may be refused as invalid rather than as foreign.
            assert.match(error.message, /^(Refusing to send the token|Invalid request URL)/);
          }
          assert.equal(foreign.seen.length, 0);
          const stats = await f.gateway.stats();
          assert.deepEqual(stats.requests, {}, "not even a token was requested");
        });
      });
    });

    it(h, "an origin listed in AUTH_ALLOWED_ORIGINS receives the token", async () => {
      await withScriptedServer(ok, async (foreign) => {
        await withFixture(h, {}, async (f) => {
          const config = f.configWith({
            AUTH_ALLOWED_ORIGINS: `https://other.example, ${foreign.url}`,
          });
          const response = await api.requestApiWithAutoRefresh({
            config,
            url: `${foreign.url}/api`,
          });
          assert.equal(response.status, 200);
          const token = await api.getAccessToken({ config });
          assert.equal(foreign.seen[0]?.headers.authorization, `Bearer ${token}`);
        });
      });
    });

    it(h, "plain http to a non-loopback host is refused, even when allowed", async () => {
      await withFixture(h, {}, async (f) => {
        const config = f.configWith({ AUTH_ALLOWED_ORIGINS: "http://api.example.com" });
        const error = await caught(
          api.requestApiWithAutoRefresh({ config, url: "http://api.example.com/x" }),
        );
        assert.ok(error instanceof api.ApiError);
        assert.match(error.message, /http/);
        const direct = await caught(
          api.requestApi({ url: "http://api.example.com/x", authToken: "t" }),
        );
        assert.ok(direct instanceof api.ApiError);
        assert.deepEqual((await f.gateway.stats()).requests, {});
      });
    });

    it(h, "requestApi without a config needs an absolute URL", async () => {
      const error = await caught(api.requestApi({ url: "/relative", authToken: "t" }));
      assert.ok(error instanceof TypeError || error instanceof api.ApiError, String(error));
    });

    it(h, "a redirect to a foreign origin is not followed: the 3xx is returned", async () => {
      let foreign: ScriptedServer | undefined;
      await withScriptedServer(ok, async (target) => {
        foreign = target;
        await withScriptedServer(
          (request) =>
            request.path === "/auth/session"
              ? { body: { accessToken: "redirect-test-token", expiresIn: 900 } }
              : { status: 302, headers: { location: `${target.url}/landing` } },
          async (gateway) => {
            await withTempDir(async (dir) => {
              const config = api.createEnvConfig(
                { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: dir },
                { envFile: false },
              );
              const response = await api.requestApiWithAutoRefresh({ config, url: "/go" });
              assert.equal(response.status, 302);
              assert.equal(response.headers.get("location"), `${target.url}/landing`);
              assert.equal(
                gateway.seen.find((r) => r.path === "/go")?.headers.authorization,
                "Bearer redirect-test-token",
              );
            });
          },
        );
      });
      assert.deepEqual(foreign?.seen, [], "the redirect was followed");
    });
  });
}
