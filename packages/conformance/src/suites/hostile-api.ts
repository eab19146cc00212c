/** A hostile API: redirects, compression bombs, bad headers, names that only look like loopback. */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { compressionBomb } from "../bombs.ts";
import {
  CLIENT_KEY,
  caught,
  it,
  type ScriptedServer,
  type SeenRequest,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** What the hostile gateway issues: distinctive, so that a leak is found by a plain search. */
const TOKEN = "tok-HOSTILE-API-51c2";

/** The token endpoint's answer, for scripted gateways. */
const session = { body: { accessToken: TOKEN, expiresIn: 900 } };

/** A node:http server on loopback with a handler of the test's own (binary bodies, encodings). */
async function withRawServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Answers the token request, then the gzip bomb on any other path. */
function bombGateway(zipped: Uint8Array) {
  return (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    if (request.url === "/auth/session") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(session.body));
      return;
    }
    response.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": String(zipped.byteLength),
    });
    response.end(zipped);
  };
}

/** What `request` carried that must not leave: its body and its Authorization. */
const carried = (request: SeenRequest) => ({
  body: request.body,
  authorization: request.headers.authorization ?? null,
});

export function hostileApiSuite(h: Harness): void {
  const { api } = h;

  /** Runs `fn` with a config whose AUTH_BASE is `base` (its token endpoint answering TOKEN). */
  const withConfig = async (
    base: string,
    env: Record<string, string>,
    fn: (config: ReturnType<typeof api.createEnvConfig>) => Promise<void>,
  ) =>
    withTempDir((dir) =>
      fn(
        api.createEnvConfig(
          { AUTH_BASE: base, CLIENT_KEY, AUTH_CACHE_DIR: dir, ...env },
          { envFile: false },
        ),
      ),
    );

  /** A gateway whose `/upload` answers `status` to `${elsewhere}/collect`; `elsewhere` records. */
  const withRedirectElsewhere = async (
    status: number,
    fn: (gateway: ScriptedServer, elsewhere: ScriptedServer) => Promise<void>,
  ) =>
    withScriptedServer(
      () => ({ body: { stolen: true } }),
      (elsewhere) =>
        withScriptedServer(
          (request) =>
            request.path === "/auth/session"
              ? session
              : { status, headers: { location: `${elsewhere.url}/collect` }, body: "moved" },
          (gateway) => fn(gateway, elsewhere),
        ),
    );

  h.t.describe("hostile api", () => {
    it(
      h,
      "a 307 from the API to another origin is returned unfollowed: neither the body nor the token leaves (requestApiWithAutoRefresh)",
      async () => {
        await withRedirectElsewhere(307, async (gateway, elsewhere) => {
          await withConfig(gateway.url, {}, async (config) => {
            const response = await api.requestApiWithAutoRefresh({
              config,
              method: "POST",
              url: "/upload",
              body: { secret: "payload-7e21" },
            });
            assert.equal(response.status, 307);
            assert.equal(response.headers.get("location"), `${elsewhere.url}/collect`);
            assert.equal(response.body, "moved");
            assert.deepEqual(elsewhere.seen.map(carried), [], "the redirect was followed");
          });
        });
      },
    );

    it(
      h,
      "a 307 from the API to another origin is handed back by authFetch, body and token kept home",
      async () => {
        await withRedirectElsewhere(307, async (gateway, elsewhere) => {
          await withConfig(gateway.url, {}, async (config) => {
            const authFetch = api.createAuthFetch({ config });
            const response = await authFetch("/upload", {
              method: "POST",
              body: "payload-7e21",
            });
            assert.equal(response.status, 307);
            assert.equal(response.headers.get("location"), `${elsewhere.url}/collect`);
            assert.deepEqual(elsewhere.seen.map(carried), [], "the redirect was followed");
          });
        });
      },
    );

    it(
      h,
      "a 308 to an http origin that only looks like loopback is not followed, even when allowed",
      async () => {
        await withScriptedServer(
          (request) =>
            request.path === "/auth/session"
              ? session
              : { status: 308, headers: { location: "http://evil.localhost:9/collect" } },
          async (gateway) => {
            const env = { AUTH_ALLOWED_ORIGINS: "http://evil.localhost:9" };
            await withConfig(gateway.url, env, async (config) => {
              const response = await api.requestApiWithAutoRefresh({
                config,
                method: "PUT",
                url: "/upload",
                body: "payload-7e21",
              });
              assert.equal(response.status, 308);
            });
          },
        );
      },
    );

    it(
      h,
      "a redirect chain within authBase and the allowed origins is followed, each hop checked and given the token; 307/308 keep the body, 303 turns into a GET",
      async () => {
        await withScriptedServer(
          (request) => ({ body: { at: request.path, method: request.method } }),
          async (allowed) => {
            await withScriptedServer(
              (request) => {
                if (request.path === "/auth/session") return session;
                if (request.path === "/a") return { status: 307, headers: { location: "/b" } };
                if (request.path === "/b") {
                  return { status: 308, headers: { location: "c?step=3" } };
                }
                if (request.path === "/c?step=3") {
                  return { status: 303, headers: { location: `${allowed.url}/done` } };
                }
                return { status: 500 };
              },
              async (gateway) => {
                const env = { AUTH_ALLOWED_ORIGINS: allowed.url };
                await withConfig(gateway.url, env, async (config) => {
                  const response = await api.requestApiWithAutoRefresh({
                    config,
                    method: "POST",
                    url: "/a",
                    body: { n: 1 },
                  });
                  assert.equal(response.status, 200);
                  assert.deepEqual(response.json(), { at: "/done", method: "GET" });
                  assert.equal(response.url, `${allowed.url}/done`);
                  const hops = [...gateway.seen.slice(1), ...allowed.seen].map((r) => ({
                    line: `${r.method} ${r.path}`,
                    body: r.body,
                    authorization: r.headers.authorization,
                    type: r.headers["content-type"],
                  }));
                  const json = "application/json";
                  const bearer = `Bearer ${TOKEN}`;
                  assert.deepEqual(hops, [
                    { line: "POST /a", body: '{"n":1}', authorization: bearer, type: json },
                    { line: "POST /b", body: '{"n":1}', authorization: bearer, type: json },
                    { line: "POST /c?step=3", body: '{"n":1}', authorization: bearer, type: json },
                    { line: "GET /done", body: "", authorization: bearer, type: undefined },
                  ]);
                });
              },
            );
          },
        );
      },
    );

    it(h, "a redirect loop stops after 5 hops with an ApiError of reason redirect", async () => {
      await withScriptedServer(
        (request) => {
          if (request.path === "/auth/session") return session;
          const n = Number(request.path.slice("/loop/".length));
          return { status: 302, headers: { location: `/loop/${n + 1}` } };
        },
        async (gateway) => {
          await withConfig(gateway.url, {}, async (config) => {
            const error = await caught(api.requestApiWithAutoRefresh({ config, url: "/loop/0" }));
            assert.ok(error instanceof api.ApiError, String(error));
            assert.match(error.message, /more than 5 redirects/);
            assert.equal(error.reason, "redirect");
            assert.equal(error.request, `GET ${gateway.url}/loop/0`);
            assert.equal(gateway.seen.filter((r) => r.path.startsWith("/loop/")).length, 6);
          });
        },
      );
    });

    it(
      h,
      "requestApi without a config follows a redirect only within the URL's own origin",
      async () => {
        await withRedirectElsewhere(307, async (gateway, elsewhere) => {
          const response = await api.requestApi({
            url: `${gateway.url}/upload`,
            authToken: TOKEN,
            method: "POST",
            body: "payload-7e21",
          });
          assert.equal(response.status, 307);
          assert.deepEqual(elsewhere.seen.map(carried), [], "the redirect was followed");
        });
      },
    );

    it(h, "authFetch with redirect: manual gets the 3xx as it came", async () => {
      await withScriptedServer(
        (request) =>
          request.path === "/auth/session"
            ? session
            : request.path === "/from"
              ? { status: 302, headers: { location: "/to" } }
              : { body: { landed: true } },
        async (gateway) => {
          await withConfig(gateway.url, {}, async (config) => {
            const authFetch = api.createAuthFetch({ config });
            const response = await authFetch("/from", { redirect: "manual" });
            assert.equal(response.status, 302);
            assert.equal(response.headers.get("location"), "/to");
            assert.equal(gateway.seen.filter((r) => r.path === "/to").length, 0);
          });
        },
      );
    });

    it(
      h,
      "authFetch with redirect: error fails on a redirect (reason redirect) and does not follow it",
      async () => {
        await withScriptedServer(
          (request) =>
            request.path === "/auth/session"
              ? session
              : request.path === "/from"
                ? { status: 307, headers: { location: "/to" } }
                : { body: { landed: true } },
          async (gateway) => {
            await withConfig(gateway.url, {}, async (config) => {
              const authFetch = api.createAuthFetch({ config });
              const error = await caught(
                authFetch("/from", { method: "POST", body: "x", redirect: "error" }),
              );
              assert.ok(error instanceof api.ApiError, String(error));
              assert.match(error.message, /redirect/);
              assert.equal(error.reason, "redirect");
              assert.equal(error.request, `POST ${gateway.url}/from`);
              assert.ok(error.cause instanceof TypeError);
              assert.equal(gateway.seen.filter((r) => r.path === "/to").length, 0);
            });
          },
        );
      },
    );

    it(
      h,
      "a 1 MB gzip bomb from the API stops at the 32 MiB default with an ApiError (reason too-large) naming the cap",
      async () => {
        const zipped = await compressionBomb("gzip");
        await withRawServer(bombGateway(zipped), async (url) => {
          await withConfig(url, {}, async (config) => {
            const error = await caught(api.requestApiWithAutoRefresh({ config, url: "/bomb" }));
            assert.ok(error instanceof api.ApiError, String(error));
            assert.match(error.message, /maxResponseBytes \(33554432 bytes/);
            assert.equal(error.reason, "too-large");
            assert.equal(error.request, `GET ${url}/bomb`);
          });
        });
      },
    );

    it(h, "maxResponseBytes caps requestApi and authFetch on a gzip bomb too", async () => {
      const zipped = await compressionBomb("gzip");
      await withRawServer(bombGateway(zipped), async (url) => {
        await withConfig(url, {}, async (config) => {
          const maxResponseBytes = 1 << 20;
          const direct = await caught(
            api.requestApi({ url: `${url}/bomb`, authToken: TOKEN, maxResponseBytes }),
          );
          assert.ok(direct instanceof api.ApiError, String(direct));
          assert.match(direct.message, /maxResponseBytes \(1048576 bytes/);
          assert.equal(direct.reason, "too-large");
          const viaFetch = await caught(
            api.createAuthFetch({ config, maxResponseBytes })(`${url}/bomb`),
          );
          assert.ok(viaFetch instanceof api.ApiError, String(viaFetch));
          assert.match(viaFetch.message, /maxResponseBytes \(1048576 bytes/);
          assert.equal(viaFetch.reason, "too-large");
        });
      });
    });

    it(
      h,
      "an ApiError after a bad header value keeps a useful cause without the token",
      async () => {
        await withScriptedServer(
          () => ({ body: {} }),
          async (server) => {
            const token = "tok-CAUSE-9d04\r\nx-injected: 1";
            for (const headers of [undefined, { "x-trace": "t1" }]) {
              const error = await caught(
                api.requestApi({ url: `${server.url}/x`, authToken: token, headers }),
              );
              assert.ok(error instanceof api.ApiError, String(error));
              const cause = error.cause as Error;
              assert.ok(cause instanceof Error, "the cause is kept");
              assert.equal(cause.name, "TypeError");
              assert.match(cause.message, /header|Header/);
              for (const text of [inspect(error), inspect(error, { depth: 10 }), cause.message]) {
                assert.ok(!text.includes("tok-CAUSE-9d04"), `the token leaked:\n${text}`);
              }
            }
            assert.equal(server.seen.length, 0);
          },
        );
      },
    );

    it(
      h,
      "http://evil.localhost is not loopback: refused as AUTH_BASE and as a request URL",
      async () => {
        await withTempDir(async (dir) => {
          const env = { CLIENT_KEY, AUTH_CACHE_DIR: dir };
          const asBase = await caught(() =>
            api.createEnvConfig(
              { ...env, AUTH_BASE: "http://evil.localhost:9" },
              { envFile: false },
            ),
          );
          assert.ok(asBase instanceof api.ConfigError, String(asBase));
          assert.match(asBase.message, /AUTH_BASE must use https/);

          const config = api.createEnvConfig(
            {
              ...env,
              AUTH_BASE: "https://gw.example",
              AUTH_ALLOWED_ORIGINS: "http://evil.localhost:9",
            },
            { envFile: false },
          );
          for (const request of [
            api.requestApiWithAutoRefresh({
              config,
              url: "http://evil.localhost:9/x",
              dryRun: true,
            }),
            api.requestApi({ url: "http://evil.localhost:9/x", authToken: TOKEN }),
          ]) {
            const error = await caught(request);
            assert.ok(error instanceof api.ApiError, String(error));
            assert.match(error.message, /Refusing to send the token over http/);
          }
        });
      },
    );
  });
}
