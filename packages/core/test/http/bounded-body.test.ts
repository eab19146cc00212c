import { afterAll, describe, expect, test } from "bun:test";
import { createServer, type Socket } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { BOMB_ENCODINGS, compressionBomb } from "../../../conformance/src/bombs.ts";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { readTextWithin } from "../../src/http/bounded-body.ts";

const encoder = new TextEncoder();
const platformFetch = bunPlatform.fetch ?? fetch;
const TEXT = JSON.stringify({ hello: "wörld", n: 42 });

const ENCODED: Record<string, Uint8Array> = {
  gzip: gzipSync(TEXT),
  "x-gzip": gzipSync(TEXT),
  deflate: deflateSync(TEXT),
  "deflate-raw": deflateRawSync(TEXT),
  br: brotliCompressSync(TEXT),
  zstd: Bun.zstdCompressSync(TEXT),
};

const bombs = new Map<string, Uint8Array>();
for (const encoding of BOMB_ENCODINGS) bombs.set(encoding, await compressionBomb(encoding));

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const [, path = "", encoding = ""] = new URL(request.url).pathname.split("/");
    if (path === "bomb") {
      return new Response(bombs.get(encoding), { headers: { "content-encoding": encoding } });
    }
    if (path === "encoded") {
      // Raw deflate is sent as "deflate", as some servers do.
      const coding = encoding === "deflate-raw" ? "deflate" : encoding;
      return new Response(ENCODED[encoding], { headers: { "content-encoding": coding } });
    }
    if (path === "accept") return new Response(request.headers.get("accept-encoding"));
    if (path === "small") return new Response("héllo");
    if (path === "empty") return new Response(null, { status: 204 });
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

/** Raw HTTP: a Content-Length of 5 over a chunked body of 8 MiB, which Bun reads whole. */
const liar = createServer((socket: Socket) => {
  socket.on("error", () => {});
  socket.once("data", () => {
    socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = "x".repeat(64 * 1024);
    for (let i = 0; i < 128; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    socket.end("0\r\n\r\n");
  });
});
await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
const liarUrl = `http://127.0.0.1:${(liar.address() as { port: number }).port}/`;

afterAll(() => {
  server.stop(true);
  liar.close();
});

describe("readTextWithin", () => {
  test("stops a compression bomb at the cap, counting inflated bytes", async () => {
    expect(await readTextWithin(await fetch(`${base}/bomb/gzip`), 64 * 1024)).toBeUndefined();
  });

  test("reads a body with a Content-Length up to the cap, and refuses one past it", async () => {
    expect(await readTextWithin(await fetch(`${base}/small`), 64)).toBe("héllo");
    expect(await readTextWithin(await fetch(`${base}/small`), 5)).toBeUndefined();
  });

  test("refuses a chunked body past the cap whatever its Content-Length says", async () => {
    expect(await readTextWithin(await fetch(liarUrl), 64 * 1024)).toBeUndefined();
  });

  test("decodes a streamed body whose characters straddle chunks", async () => {
    expect(await readTextWithin(await fetch(`${base}/stream`), 4)).toBe("abé");
    expect(await readTextWithin(await fetch(`${base}/stream`), 3)).toBeUndefined();
  });

  test("an empty body is the empty string", async () => {
    expect(await readTextWithin(await fetch(`${base}/empty`), 0)).toBe("");
  });
});

describe("Bun's platform fetch decodes bodies as they are read", () => {
  for (const encoding of Object.keys(ENCODED)) {
    test(`a ${encoding} body reads as its text`, async () => {
      const response = await platformFetch(`${base}/encoded/${encoding}`);
      expect(response.url).toBe(`${base}/encoded/${encoding}`);
      expect(await readTextWithin(response, 1024)).toBe(TEXT);
    });
  }

  for (const encoding of BOMB_ENCODINGS) {
    test(`a ${encoding} bomb stops at the cap`, async () => {
      const response = await platformFetch(`${base}/bomb/${encoding}`);
      expect(await readTextWithin(response, 64 * 1024)).toBeUndefined();
    });
  }

  test("still asks for compressed bodies, unless the request names its own Accept-Encoding", async () => {
    expect(await (await platformFetch(`${base}/accept`)).text()).toBe("gzip, deflate, br, zstd");
    const own = { headers: { "Accept-Encoding": "identity" } };
    expect(await (await platformFetch(`${base}/accept`, own)).text()).toBe("identity");
    const headers = new Headers({ "accept-encoding": "gzip" });
    expect(await (await platformFetch(`${base}/accept`, { headers })).text()).toBe("gzip");
  });
});
