import { afterAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { readTextWithin } from "../src/bounded-body.ts";

/** 64 MiB of "a" in about 64 KiB of gzip. */
const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61), { level: 9 });
const encoder = new TextEncoder();

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/bomb") return new Response(bomb, { headers: { "content-encoding": "gzip" } });
    if (path === "/small") return new Response("héllo");
    if (path === "/empty") return new Response(null, { status: 204 });
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode("ab"));
          // A multi-byte character split across two chunks.
          controller.enqueue(new Uint8Array([0xc3]));
          controller.enqueue(new Uint8Array([0xa9]));
          controller.close();
        },
      }),
    );
  },
});
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

describe("readTextWithin", () => {
  test("stops a compression bomb at the cap, counting inflated bytes", async () => {
    expect(await readTextWithin(await fetch(`${base}/bomb`), 64 * 1024)).toBeUndefined();
  });

  test("reads a body with a Content-Length up to the cap, and refuses one past it", async () => {
    expect(await readTextWithin(await fetch(`${base}/small`), 64)).toBe("héllo");
    expect(await readTextWithin(await fetch(`${base}/small`), 5)).toBeUndefined();
  });

  test("decodes a streamed body whose characters straddle chunks", async () => {
    expect(await readTextWithin(await fetch(`${base}/stream`), 4)).toBe("abé");
    expect(await readTextWithin(await fetch(`${base}/stream`), 3)).toBeUndefined();
  });

  test("an empty body is the empty string", async () => {
    expect(await readTextWithin(await fetch(`${base}/empty`), 0)).toBe("");
  });
});
