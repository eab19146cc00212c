/**
 * What Bun's platform fetch (http/body-decoding.ts) does with a Content-Encoding besides
 * inflating: bodiless answers, a coding's spelling, codings it does not decode, what an inflated
 * answer keeps of the original, and the Accept-Encoding it sends.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { readTextWithin } from "../../src/http/bounded-body.ts";

const platformFetch = bunPlatform.fetch ?? fetch;
const TEXT = '{"error":"invalid_client"}';
const STACKED = gzipSync(gzipSync(TEXT));

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/accept-and-type") {
      return new Response(
        `${request.headers.get("accept")} | ${request.headers.get("accept-encoding")}`,
      );
    }
    if (path === "/no-content") {
      return new Response(null, { status: 204, headers: { "content-encoding": "gzip" } });
    }
    if (path === "/empty-deflate") {
      return new Response("", { status: 401, headers: { "content-encoding": "deflate" } });
    }
    if (path === "/upper") {
      return new Response(gzipSync(TEXT), { headers: { "content-encoding": "GZIP" } });
    }
    if (path === "/stacked") {
      return new Response(STACKED, { headers: { "content-encoding": "gzip, gzip" } });
    }
    if (path === "/error") {
      return new Response(gzipSync(TEXT), {
        status: 401,
        statusText: "Unauthorized",
        headers: { "content-encoding": "gzip", "www-authenticate": 'Bearer error="invalid_token"' },
      });
    }
    return new Response(gzipSync(TEXT), { headers: { "content-encoding": "gzip" } });
  },
});
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

describe("Bun's platform fetch and content codings", () => {
  test("an answer without a body (204, or to HEAD) that names gzip reads as empty", async () => {
    const noContent = await platformFetch(`${base}/no-content`);
    expect(noContent.status).toBe(204);
    expect(await readTextWithin(noContent, 1024)).toBe("");
    const head = await platformFetch(`${base}/gzip`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await readTextWithin(head, 1024)).toBe("");
  });

  test("an empty body that names deflate still hands back the answer and its status", async () => {
    // (Reading that empty body then fails, "unexpected end of file", where Bun's own fetch reads "".)
    const response = await platformFetch(`${base}/empty-deflate`);
    expect(response.status).toBe(401);
  });

  test("a coding is recognised whatever its letter case", async () => {
    expect(await readTextWithin(await platformFetch(`${base}/upper`), 1024)).toBe(TEXT);
  });

  test("stacked codings are passed as sent, and counted as sent", async () => {
    const response = await platformFetch(`${base}/stacked`);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(STACKED));
    const refused = await platformFetch(`${base}/stacked`);
    expect(await readTextWithin(refused, STACKED.byteLength - 1)).toBeUndefined();
  });

  test("an inflated answer keeps its status, status text, headers and URL", async () => {
    const response = await platformFetch(`${base}/error`);
    expect(response.status).toBe(401);
    expect(response.statusText).toBe("Unauthorized");
    expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(response.url).toBe(`${base}/error`);
    expect(await readTextWithin(response, 1024)).toBe(TEXT);
  });

  test("compressed answers are still asked for when a request sends other headers", async () => {
    const all = "gzip, deflate, br, zstd";
    const sent = async (headers: Headers | Record<string, string> | [string, string][]) =>
      (await platformFetch(`${base}/accept-and-type`, { headers })).text();
    expect(await sent({ accept: "application/json" })).toBe(`application/json | ${all}`);
    expect(await sent(new Headers({ accept: "application/json" }))).toBe(
      `application/json | ${all}`,
    );
    expect(await sent([["accept", "application/json"]])).toBe(`application/json | ${all}`);
  });
});
