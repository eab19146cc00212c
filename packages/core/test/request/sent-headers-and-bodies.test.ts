/**
 * What an API call puts on the wire: the bearer token (ours over a caller's Authorization), the
 * content type a body implies (a caller's wins), and each kind of body, against a recording
 * server on 127.0.0.1. Also how a call that fails or is cut short says so.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { ApiError, requestApi } from "../fixtures/internal-api.ts";

interface Seen {
  method: string;
  authorization: string | null;
  contentType: string | null;
  body: string;
}

const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;
let base = "";

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      seen.push({
        method: request.method,
        authorization: request.headers.get("authorization"),
        contentType: request.headers.get("content-type"),
        body: await request.text(),
      });
      if (new URL(request.url).pathname === "/slow") await Bun.sleep(2000);
      return new Response("ok");
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));
beforeEach(() => {
  seen.length = 0;
});

describe("headers", () => {
  test("each call carries its own token; ours replaces a caller's Authorization", async () => {
    await requestApi({ url: `${base}/a`, authToken: "tok-one" });
    await requestApi({ url: `${base}/a`, authToken: "tok-two" });
    await requestApi({
      url: `${base}/a`,
      authToken: "tok-three",
      headers: { Authorization: "Basic c3RvbGVu", "x-other": "1" },
    });
    expect(seen.map((s) => s.authorization)).toEqual([
      "Bearer tok-one",
      "Bearer tok-two",
      "Bearer tok-three",
    ]);
  });

  test("a JSON body implies application/json unless the caller names a content type", async () => {
    await requestApi({ url: `${base}/a`, authToken: "t", method: "POST", body: { a: 1 } });
    await requestApi({
      url: `${base}/a`,
      authToken: "t",
      method: "POST",
      body: { a: 1 },
      headers: { "Content-Type": "application/vnd.api+json" },
    });
    await requestApi({
      url: `${base}/a`,
      authToken: "t",
      method: "POST",
      body: [1, 2],
      headers: { "x-other": "1" },
    });
    expect(seen.map((s) => [s.contentType, s.body])).toEqual([
      ["application/json", '{"a":1}'],
      ["application/vnd.api+json", '{"a":1}'],
      ["application/json", "[1,2]"],
    ]);
  });

  test("without a body no content type is sent, with caller headers or without", async () => {
    await requestApi({ url: `${base}/a`, authToken: "t" });
    await requestApi({ url: `${base}/a`, authToken: "t", headers: { "x-other": "1" } });
    expect(seen.map((s) => s.contentType)).toEqual([null, null]);
  });
});

describe("bodies", () => {
  test.each([
    ["a string", "plain text", "text/plain;charset=UTF-8", "plain text"],
    [
      "an object without prototype",
      Object.assign(Object.create(null), { z: 1 }),
      "application/json",
      '{"z":1}',
    ],
    [
      "URLSearchParams",
      new URLSearchParams({ q: "a b" }),
      "application/x-www-form-urlencoded;charset=UTF-8",
      "q=a+b",
    ],
    ["a Blob", new Blob(["blob!"], { type: "text/x-blob" }), "text/x-blob", "blob!"],
    ["bytes", new TextEncoder().encode("bytes!"), null, "bytes!"],
    ["an ArrayBuffer", new TextEncoder().encode("buffer!").buffer, null, "buffer!"],
  ])("%s is sent as fetch sends it, with its content type", async (_name, body, type, text) => {
    await requestApi({ url: `${base}/a`, authToken: "t", method: "POST", body: body as never });
    expect(seen[0]?.body).toBe(text);
    if (type === null) expect(seen[0]?.contentType ?? null).not.toBe("application/json");
    else expect(seen[0]?.contentType).toBe(type);
  });

  test("an instance of a class is not JSON: it is sent as fetch sends it", async () => {
    class Thing {
      a = 1;
      toString() {
        return "a thing";
      }
    }
    await requestApi({
      url: `${base}/a`,
      authToken: "t",
      method: "POST",
      body: new Thing() as never,
    });
    expect(seen[0]?.body).toBe("a thing");
    expect(seen[0]?.contentType).not.toBe("application/json");
  });

  test("a null body sends nothing", async () => {
    await requestApi({ url: `${base}/a`, authToken: "t", method: "POST", body: null });
    expect(seen[0]?.body).toBe("");
    expect(seen[0]?.contentType).toBeNull();
  });
});

describe("a call cut short", () => {
  test("the call's timeout ends it with an ApiError of reason timeout, not retried", async () => {
    const started = performance.now();
    const error = (await requestApi({
      url: `${base}/slow?secret=1`,
      authToken: "t",
      timeoutMs: 100,
    }).catch((e: unknown) => e)) as ApiError;
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.reason).toBe("timeout");
    expect(error.request).toBe(`GET ${base}/slow`);
    expect(error.message).not.toContain("secret=1");
    expect(seen.length).toBe(1);
  });

  test("the caller's abort ends it with an ApiError of reason aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = (await requestApi({
      url: `${base}/slow`,
      authToken: "t",
      signal: controller.signal,
    }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.reason).toBe("aborted");
    expect(error.message).toBe(`API request failed: aborted (GET ${base}/slow)`);
    expect(seen.length).toBe(1);
  });

  test("a header value fetch refuses is an ApiError that does not quote the token", async () => {
    const error = (await requestApi({
      url: `${base}/a`,
      authToken: "tok-secret-hdr",
      headers: { "x-bad": "line\nbreak tok-secret-hdr" },
    }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(Bun.inspect(error)).not.toContain("tok-secret-hdr");
    expect(seen).toEqual([]);
  });
});
