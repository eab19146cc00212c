/**
 * "deflate" bodies through Bun's platform fetch (http/body-decoding.ts): zlib and raw deflate
 * told apart by their first bytes however the body is cut into chunks, every chunk decoded, and
 * a refused body's connection closed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import { readTextWithin } from "../../src/http/bounded-body.ts";
import { chunkedServer, within } from "./chunked-server.ts";

const platformFetch = bunPlatform.fetch ?? fetch;
const encoder = new TextEncoder();

/** A raw deflate stored block: its header byte as given (the bits past the type are padding). */
function storedBlock(header: number, data: string): Uint8Array {
  const bytes = encoder.encode(data);
  const n = bytes.byteLength;
  return Uint8Array.from([header, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff, ...bytes]);
}
/** The empty final stored block that ends a raw deflate stream. */
const END = Uint8Array.of(0x01, 0x00, 0x00, 0xff, 0xff);

const TEXT = JSON.stringify({ access_token: "abc", expires_in: 3600 });
const zlib = deflateSync(TEXT);

/** Bodies sent as "deflate", each as the parts its chunks are cut into. */
const BODIES: Record<string, (string | Uint8Array)[]> = {
  // Zlib, its two-byte header alone in the first chunk, the rest in two more.
  "zlib, header alone": [zlib.subarray(0, 2), zlib.subarray(2, 9), zlib.subarray(9)],
  // Raw, first byte 0x08: a zlib method nibble, but the first two bytes are no multiple of 31.
  "raw, zlib's method nibble": [storedBlock(0x08, "hello"), END],
  // Raw, first two bytes 0x01 0x17: a multiple of 31, but no zlib method nibble.
  "raw, a multiple of 31": [storedBlock(0x01, "x".repeat(23))],
  // Raw, first byte 0xf8 alone in its chunk: with a zero after it, both zlib tests would pass.
  "raw, one byte first": [Uint8Array.of(0xf8), storedBlock(0xf8, "hello").subarray(1), END],
};
const EXPECTED: Record<string, string> = {
  "zlib, header alone": TEXT,
  "raw, zlib's method nibble": "hello",
  "raw, a multiple of 31": "x".repeat(23),
  "raw, one byte first": "hello",
};

let endlessBlocks = 0;
const server = await chunkedServer((path) => {
  const name = decodeURIComponent(path.slice(1));
  if (name === "endless") {
    // Raw deflate that never ends: a stored block of 1 KiB every few milliseconds.
    return {
      headers: { "content-encoding": "deflate" },
      parts: [],
      more: () => {
        endlessBlocks++;
        return storedBlock(0x00, "y".repeat(1024));
      },
    };
  }
  return { headers: { "content-encoding": "deflate" }, parts: BODIES[name] ?? [] };
});
afterAll(() => server.stop());

describe("a deflate body, zlib or raw, in chunks of any size", () => {
  for (const name of Object.keys(BODIES)) {
    test(`${name}: reads as its text`, async () => {
      const response = await platformFetch(`${server.url}/${encodeURIComponent(name)}`);
      expect(await readTextWithin(response, 1024)).toBe(EXPECTED[name] ?? "");
    });
  }

  test("a deflate body refused at the cap closes its connection at once", async () => {
    const response = await platformFetch(`${server.url}/endless`);
    expect(await readTextWithin(response, 8 * 1024)).toBeUndefined();
    const refusedAt = endlessBlocks;
    expect(await within(server.closed("/endless"), 2_000)).toBeUndefined();
    // Server and client share this event loop: a prompt close lets the server's 5 ms timer send
    // a block or two more at most; a body left open sends dozens before the collector closes it.
    expect(endlessBlocks - refusedAt).toBeLessThan(5);
  });
});
