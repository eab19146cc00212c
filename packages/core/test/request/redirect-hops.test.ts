/**
 * Redirects of an API call, hop by hop, against real servers on 127.0.0.1: which are followed
 * (only to a place that may receive the token), with what method, body and headers, how many,
 * and what `redirect: "manual"` and `"error"` do. Two ports are two origins.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { ApiError, requestApi } from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: string;
  /** content-language and x-keep, as sent. */
  extra: string;
}

type Route = (url: URL) => Response;

/** A server that records every request and answers by path from `routes` (else 200 "ok"). */
function recordingServer() {
  const seen: Seen[] = [];
  const routes = new Map<string, Route>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname + url.search,
        authorization: request.headers.get("authorization"),
        contentType: request.headers.get("content-type"),
        body: await request.text(),
        extra: `${request.headers.get("content-language")}|${request.headers.get("x-keep")}`,
      });
      return routes.get(url.pathname)?.(url) ?? new Response(`ok ${url.pathname}`);
    },
  });
  return { seen, routes, server, url: `http://127.0.0.1:${server.port}` };
}

const TOKEN = "tok-redirect-9c1e";
let api: ReturnType<typeof recordingServer>;
let other: ReturnType<typeof recordingServer>;

const redirect = (status: number, location: string | null): Response =>
  new Response(`moved ${status}`, {
    status,
    headers: location === null ? {} : { location },
  });

beforeAll(() => {
  api = recordingServer();
  other = recordingServer();
});
afterAll(() => {
  api.server.stop(true);
  other.server.stop(true);
});
beforeEach(() => {
  for (const s of [api, other]) {
    s.seen.length = 0;
    s.routes.clear();
  }
});

describe("redirect: follow", () => {
  test("a redirect within the origin is followed with the token; the response names the final URL", async () => {
    api.routes.set("/old", () => redirect(302, "/new?x=1"));
    const response = await requestApi({ url: `${api.url}/old`, authToken: TOKEN });
    expect(response.status).toBe(200);
    expect(response.body).toBe("ok /new");
    expect(response.url).toBe(`${api.url}/new?x=1`);
    expect(api.seen.map((s) => [s.path, s.authorization])).toEqual([
      ["/old", `Bearer ${TOKEN}`],
      ["/new?x=1", `Bearer ${TOKEN}`],
    ]);
  });

  test("each of 301, 302, 303, 307 and 308 is followed", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      api.seen.length = 0;
      api.routes.set("/from", () => redirect(status, "/to"));
      const response = await requestApi({ url: `${api.url}/from`, authToken: TOKEN });
      expect([status, response.status, response.body]).toEqual([status, 200, "ok /to"]);
      expect(api.seen.length).toBe(2);
    }
  });

  test("300, 304, 305 and 306 are returned as they came, their Location not visited", async () => {
    for (const status of [300, 304, 305, 306]) {
      api.seen.length = 0;
      api.routes.set("/from", () => redirect(status, "/to"));
      const response = await requestApi({ url: `${api.url}/from`, authToken: TOKEN });
      expect(response.status).toBe(status);
      expect(api.seen.map((s) => s.path)).toEqual(["/from"]);
    }
  });

  test("a Location relative to the hop that sent it resolves against that hop's URL", async () => {
    api.routes.set("/a/first", () => redirect(302, "second"));
    api.routes.set("/a/second", () => redirect(302, "../b/third"));
    const response = await requestApi({ url: `${api.url}/a/first`, authToken: TOKEN });
    expect(response.url).toBe(`${api.url}/b/third`);
    expect(api.seen.map((s) => s.path)).toEqual(["/a/first", "/a/second", "/b/third"]);
  });

  test("a redirect to another origin is not followed: the 3xx is returned and nothing reaches it", async () => {
    api.routes.set("/out", () => redirect(307, `${other.url}/collect`));
    const response = await requestApi({
      url: `${api.url}/out`,
      authToken: TOKEN,
      method: "POST",
      body: { secret: 1 },
    });
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${other.url}/collect`);
    expect(response.url).toBe(`${api.url}/out`);
    expect(other.seen).toEqual([]);
  });

  test("a redirect to an allowed origin is followed with the token; to plain http elsewhere it is not", async () => {
    const config = testConfig(api.url, "ck-redirect-allowed", {
      AUTH_ALLOWED_ORIGINS: `${other.url}, http://api.example.com`,
    });
    api.routes.set("/out", () => redirect(302, `${other.url}/there`));
    const followed = await requestApi({ config, url: "/out", authToken: TOKEN });
    expect(followed.body).toBe("ok /there");
    expect(other.seen.map((s) => s.authorization)).toEqual([`Bearer ${TOKEN}`]);

    api.routes.set("/plain", () => redirect(302, "http://api.example.com/x"));
    const kept = await requestApi({ config, url: "/plain", authToken: TOKEN });
    expect(kept.status).toBe(302);
  });

  test("without a config, the request URL's own origin is the only one a redirect may reach", async () => {
    api.routes.set("/out", () => redirect(302, `${other.url}/x`));
    const response = await requestApi({ url: `${api.url}/out`, authToken: TOKEN });
    expect(response.status).toBe(302);
    expect(other.seen).toEqual([]);
  });

  test("a redirect without a Location, or with one that is no URL, is returned as it came", async () => {
    api.routes.set("/none", () => redirect(302, null));
    api.routes.set("/bad", () => redirect(302, "http://[::1"));
    for (const path of ["/none", "/bad"]) {
      const response = await requestApi({ url: `${api.url}${path}`, authToken: TOKEN });
      expect(response.status).toBe(302);
      expect(response.body).toBe("moved 302");
    }
    expect(api.seen.map((s) => s.path)).toEqual(["/none", "/bad"]);
  });

  test("five hops are followed; a sixth is an ApiError of reason redirect, naming the request without its query", async () => {
    api.routes.set("/hop", (url) => {
      const n = Number(url.searchParams.get("n"));
      return n >= Number(url.searchParams.get("stop"))
        ? new Response("landed")
        : redirect(302, `/hop?n=${n + 1}&stop=${url.searchParams.get("stop")}`);
    });
    const five = await requestApi({ url: `${api.url}/hop?n=0&stop=5`, authToken: TOKEN });
    expect(five.body).toBe("landed");
    expect(api.seen.length).toBe(6);

    api.seen.length = 0;
    const error = await requestApi({ url: `${api.url}/hop?n=0&stop=6`, authToken: TOKEN }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("API_ERROR");
    expect((error as ApiError).reason).toBe("redirect");
    expect((error as ApiError).message).toBe(
      `API request failed: more than 5 redirects (GET ${api.url}/hop)`,
    );
    expect(api.seen.length).toBe(6);
  });
});

describe("redirect: method and body across a hop", () => {
  const body = JSON.stringify({ n: 1 });

  test("303 after a POST, PUT or DELETE continues as a GET without body or body headers; the token stays", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      api.seen.length = 0;
      api.routes.set("/form", () => redirect(303, "/done"));
      await requestApi({
        url: `${api.url}/form`,
        authToken: TOKEN,
        method,
        body: { n: 1 },
        headers: { "content-language": "en", "x-keep": "1" },
      });
      expect(api.seen[0]).toMatchObject({ method, body, contentType: "application/json" });
      expect(api.seen[1]).toEqual({
        method: "GET",
        path: "/done",
        authorization: `Bearer ${TOKEN}`,
        contentType: null,
        body: "",
        extra: "null|1",
      });
    }
  });

  test("301 and 302 after a POST continue as a GET without body", async () => {
    for (const status of [301, 302]) {
      api.seen.length = 0;
      api.routes.set("/form", () => redirect(status, "/done"));
      await requestApi({ url: `${api.url}/form`, authToken: TOKEN, method: "POST", body: "x=1" });
      expect(api.seen[1]).toMatchObject({ method: "GET", body: "", contentType: null });
    }
  });

  test("301 and 302 after a PUT, and 307 and 308 after a POST, resend the same method, body and content type", async () => {
    for (const [status, method] of [
      [301, "PUT"],
      [302, "PATCH"],
      [307, "POST"],
      [308, "POST"],
    ] as const) {
      api.seen.length = 0;
      api.routes.set("/form", () => redirect(status, "/done"));
      await requestApi({
        url: `${api.url}/form`,
        authToken: TOKEN,
        method,
        body: { n: 1 },
        headers: { "content-language": "en" },
      });
      expect(api.seen[1]).toEqual({
        method,
        path: "/done",
        authorization: `Bearer ${TOKEN}`,
        contentType: "application/json",
        body,
        extra: "en|null",
      });
    }
  });

  test("303 after a GET or HEAD stays that method, with the same headers", async () => {
    for (const method of ["GET", "HEAD"]) {
      api.seen.length = 0;
      api.routes.set("/form", () => redirect(303, "/done"));
      await requestApi({
        url: `${api.url}/form`,
        authToken: TOKEN,
        method,
        headers: { "content-language": "en" },
      });
      expect(api.seen.map((s) => s.method)).toEqual([method, method]);
      // Nothing to drop: the caller's headers go on as they were.
      expect(api.seen.map((s) => s.extra)).toEqual(["en|null", "en|null"]);
    }
  });
});

describe("redirect: manual and error", () => {
  test('"manual" returns the 3xx itself, even within the origin', async () => {
    api.routes.set("/old", () => redirect(302, "/new"));
    const response = await requestApi({
      url: `${api.url}/old`,
      authToken: TOKEN,
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/new");
    expect(api.seen.map((s) => s.path)).toEqual(["/old"]);
  });

  test('"error" fails with an ApiError of reason redirect naming the status and the request', async () => {
    api.routes.set("/old", () => redirect(301, "/new"));
    const error = await requestApi({
      url: `${api.url}/old?token=${TOKEN}`,
      authToken: TOKEN,
      redirect: "error",
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).reason).toBe("redirect");
    expect((error as ApiError).request).toBe(`GET ${api.url}/old`);
    expect((error as ApiError).message).toBe(
      `API request failed: redirected (HTTP 301) and redirect is "error" (GET ${api.url}/old)`,
    );
    expect(((error as ApiError).cause as Error).message).toBe("unexpected redirect");
    expect(api.seen.map((s) => s.path)).toEqual([`/old?token=${TOKEN}`]);
  });

  test('"error" lets a plain answer through', async () => {
    const response = await requestApi({
      url: `${api.url}/plain`,
      authToken: TOKEN,
      redirect: "error",
    });
    expect(response.body).toBe("ok /plain");
  });
});

describe("the response body cap", () => {
  test("a body over maxResponseBytes is an ApiError of reason too-large naming the cap, the status and the request", async () => {
    api.routes.set("/big", () => new Response("x".repeat(100), { status: 201 }));
    const error = await requestApi({
      url: `${api.url}/big?q=secret`,
      authToken: TOKEN,
      maxResponseBytes: 99,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).reason).toBe("too-large");
    expect((error as ApiError).request).toBe(`GET ${api.url}/big`);
    expect((error as ApiError).message).toBe(
      `API response body is larger than maxResponseBytes (99 bytes; HTTP 201, GET ${api.url}/big)`,
    );
    const exact = await requestApi({
      url: `${api.url}/big`,
      authToken: TOKEN,
      maxResponseBytes: 100,
    });
    expect(exact.body.length).toBe(100);
  });

  test("maxResponseBytes 0 takes an empty body", async () => {
    api.routes.set("/empty", () => new Response(null, { status: 204 }));
    const response = await requestApi({
      url: `${api.url}/empty`,
      authToken: TOKEN,
      maxResponseBytes: 0,
    });
    expect([response.status, response.body]).toEqual([204, ""]);
  });

  test("without a config a relative URL is a TypeError naming the request, with the parser's error as cause", async () => {
    const error = (await requestApi({ url: "/x?q=secret", authToken: TOKEN }).catch(
      (e: unknown) => e,
    )) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("requestApi: url must be absolute when no config is given (GET /x)");
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(api.seen).toEqual([]);
  });
});
