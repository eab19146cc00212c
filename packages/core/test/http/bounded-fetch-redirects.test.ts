/**
 * What one bounded exchange (http/bounded-fetch.ts) takes for a redirect: exactly the 3xx
 * answers, left unread and unfollowed, with or without a body; a 400's body (the OAuth error
 * the caller reports) is read.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { boundedFetch, isRedirect } from "../../src/http/bounded-fetch.ts";

let followed = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/elsewhere") {
      followed++;
      return new Response("followed");
    }
    const status = Number(path.slice(1));
    return new Response(`body of ${status}`, {
      status,
      headers: { location: "/elsewhere", "content-type": "text/plain" },
    });
  },
});
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

const exchange = (path: string, method = "GET") =>
  boundedFetch({
    fetch: (input, init) => fetch(input, init),
    url: `${base}${path}`,
    init: { method },
    timeoutMs: 2_000,
    signal: new AbortController().signal,
    maxBytes: 1024,
  });

describe("a redirect is any 3xx and nothing else", () => {
  test("the status range: 300 to 399", () => {
    expect([299, 300, 308, 399, 400].map(isRedirect)).toEqual([false, true, true, true, false]);
  });

  test("a 300 answer is handed back unread and unfollowed", async () => {
    const { response, text } = await exchange("/300");
    expect(response.status).toBe(300);
    expect(text).toBeUndefined();
    expect(followed).toBe(0);
  });

  test("a 400 answer's body is read: it says what the server refused", async () => {
    const { response, text } = await exchange("/400");
    expect(response.status).toBe(400);
    expect(text).toBe("body of 400");
  });

  test("a redirect without a body (an answer to HEAD) is handed back as it came", async () => {
    const { response, text } = await exchange("/302", "HEAD");
    expect(response.status).toBe(302);
    expect(response.body).toBeNull();
    expect(text).toBeUndefined();
    expect(followed).toBe(0);
  });
});
