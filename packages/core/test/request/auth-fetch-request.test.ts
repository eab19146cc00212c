/**
 * createAuthFetch as a fetch: what it takes from a Request and from init (which wins), and the
 * Response it gives back (status, status text, headers, final URL, no body where fetch has
 * none). The token comes from a dev gateway; the API is a recording server on 127.0.0.1 listed
 * in AUTH_ALLOWED_ORIGINS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  ApiError,
  type AuthFetch,
  createAuthFetch,
  createTokenManager,
  type TokenManager,
} from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  headers: Record<string, string>;
  body: string;
}

const CLIENT_KEY = "ck-authfetch-request-41b7";
const seen: Seen[] = [];
const routes = new Map<string, () => Response>();
let gateway: DevGateway;
let server: ReturnType<typeof Bun.serve>;
let api = "";
let manager: TokenManager;
let authFetch: AuthFetch;

beforeAll(async () => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname + url.search,
        authorization: request.headers.get("authorization"),
        headers: Object.fromEntries(
          [...request.headers].filter(([name]) => name.startsWith("x-") || name === "content-type"),
        ),
        body: await request.text(),
      });
      return routes.get(url.pathname)?.() ?? new Response(`ok ${url.pathname}`);
    },
  });
  api = `http://127.0.0.1:${server.port}`;
  const config = testConfig(gateway.url, CLIENT_KEY, { AUTH_ALLOWED_ORIGINS: api });
  manager = createTokenManager({ config, store: null });
  authFetch = createAuthFetch({ config, tokenManager: manager });
});
afterAll(async () => {
  server.stop(true);
  await gateway.stop();
});
beforeEach(() => {
  seen.length = 0;
  routes.clear();
});

describe("what authFetch sends", () => {
  test("a Request's method, headers and body are sent with the token; init's headers are added and win", async () => {
    const request = new Request(`${api}/r`, {
      method: "PUT",
      headers: { "x-a": "from-request", "x-b": "kept", "content-type": "text/csv" },
      body: "a,b\n1,2\n",
    });
    const response = await authFetch(request, { headers: { "x-a": "from-init", "x-c": "new" } });
    expect(response.status).toBe(200);
    const token = (await manager.getToken()).accessToken;
    expect(seen).toEqual([
      {
        method: "PUT",
        path: "/r",
        authorization: `Bearer ${token}`,
        headers: { "x-a": "from-init", "x-b": "kept", "x-c": "new", "content-type": "text/csv" },
        body: "a,b\n1,2\n",
      },
    ]);
  });

  test("init's method and body win over the Request's", async () => {
    const request = new Request(`${api}/r`, { method: "PUT", body: "from request" });
    await authFetch(request, { method: "POST", body: "from init" });
    expect(seen.map((s) => [s.method, s.body])).toEqual([["POST", "from init"]]);
  });

  test("a string or URL with no init is a GET without body and only the token added", async () => {
    await authFetch(`${api}/s?q=1`);
    await authFetch(new URL(`${api}/u`));
    expect(seen.map((s) => [s.method, s.path, s.body, s.headers])).toEqual([
      ["GET", "/s?q=1", "", {}],
      ["GET", "/u", "", {}],
    ]);
    expect(seen[0]?.authorization).toStartWith("Bearer ");
  });

  test("a Request's redirect mode is obeyed, and init's wins over it", async () => {
    routes.set("/old", () => new Response(null, { status: 302, headers: { location: "/new" } }));
    const manual = await authFetch(new Request(`${api}/old`, { redirect: "manual" }));
    expect(manual.status).toBe(302);
    expect(seen.map((s) => s.path)).toEqual(["/old"]);

    seen.length = 0;
    const followed = await authFetch(new Request(`${api}/old`, { redirect: "manual" }), {
      redirect: "follow",
    });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${api}/new`);
    expect(await followed.text()).toBe("ok /new");

    const error = await authFetch(`${api}/old`, { redirect: "error" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).reason).toBe("redirect");
  });

  test("a Request's aborted signal cancels the call", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await authFetch(new Request(`${api}/r`, { signal: controller.signal })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(seen).toEqual([]);
  });
});

describe("the Response authFetch gives", () => {
  test("status, status text, headers, final URL and body as the server sent them", async () => {
    routes.set(
      "/made",
      () =>
        new Response('{"id":7}', {
          status: 201,
          statusText: "Created",
          headers: { "content-type": "application/json", "x-id": "7" },
        }),
    );
    const response = await authFetch(`${api}/made`, { method: "POST" });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Created");
    expect(response.ok).toBe(true);
    expect(response.headers.get("x-id")).toBe("7");
    expect(response.url).toBe(`${api}/made`);
    expect(await response.json()).toEqual({ id: 7 });
  });

  test("HEAD, 204 and 205 responses have a null body; a 404 keeps its body", async () => {
    routes.set("/none", () => new Response(null, { status: 204 }));
    routes.set("/reset", () => new Response(null, { status: 205 }));
    routes.set("/missing", () => new Response("not here", { status: 404 }));
    const head = await authFetch(`${api}/r`, { method: "HEAD" });
    expect([head.status, head.body, head.url]).toEqual([200, null, `${api}/r`]);
    for (const [path, status] of [
      ["/none", 204],
      ["/reset", 205],
    ] as const) {
      const response = await authFetch(`${api}${path}`);
      expect([response.status, response.body, response.url]).toEqual([
        status,
        null,
        `${api}${path}`,
      ]);
    }
    const missing = await authFetch(`${api}/missing`);
    expect([missing.status, await missing.text()]).toEqual([404, "not here"]);
  });
});
