/**
 * A fetch that inflates a compressed body only as fast as it is read. Bun's fetch, left to
 * decode, keeps inflating after the reader cancelled the body (a 32 KB zstd bomb took a process
 * to 1.6 GB after a 32 MiB cap had stopped the read); asked for the bytes as sent, it stops with
 * the reader, and a decompression stream inflates no more than its reader pulls. The runtime's
 * adapter supplies how to ask and the decoders (bun/bun-platform.ts); the logic is here.
 */
import type { FetchLike, HeadersInit } from "../platform/platform.ts";

/** A content coding a runtime's fetch decodes; "deflate-raw": a deflate body without zlib's header. */
export type BodyFormat = "gzip" | "deflate" | "deflate-raw" | "br" | "zstd";

/** What a runtime supplies to decode bodies itself. */
export interface BodyDecoding {
  /** Merged into every request's init: asks the runtime's fetch for the body as sent. */
  readonly init: Readonly<Record<string, unknown>>;
  /** The Accept-Encoding the runtime's fetch sends when it decodes (a request that names none). */
  readonly acceptEncoding: string;
  /** A decoder that inflates only what its reader pulls. */
  decoder(format: BodyFormat): TransformStream<Uint8Array, Uint8Array>;
}

/** The formats of the Content-Encoding values fetch decodes; "deflate" is told apart on reading. */
const FORMATS: Readonly<Record<string, BodyFormat | "deflate?">> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate?",
  br: "br",
  zstd: "zstd",
};

/**
 * `fetch` (the global one, looked up on each call, as instrumentation patches it) asked for
 * bodies as sent, each compressed body decoded as it is read. The Response keeps its headers,
 * Content-Encoding included, as fetch's decoded Responses do. A body in any other coding is
 * passed as sent (fetch passes those as sent too), to be counted like any other.
 *
 * @example
 * const fetch = decodingAsRead({ init: { decompress: false }, acceptEncoding: "gzip",
 *   decoder: (format) => new DecompressionStream(format) });
 */
export function decodingAsRead(decoding: BodyDecoding): FetchLike {
  return async (input, init) => {
    const response = await fetch(input, {
      ...init,
      ...decoding.init,
      headers: withAcceptEncoding(input, init?.headers, decoding.acceptEncoding),
    });
    const coding = response.headers.get("content-encoding");
    if (coding === null || response.body === null) return response;
    const format = FORMATS[coding.trim().toLowerCase()];
    if (format === undefined) return response;
    const body =
      format === "deflate?"
        ? await decodeDeflate(response.body, decoding)
        : response.body.pipeThrough(decoding.decoder(format));
    const decoded = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(decoded, "url", { value: response.url });
    return decoded;
  };
}

/**
 * The request's headers with `accept` as its Accept-Encoding unless it names one: a fetch told
 * not to decode stops asking for compression. A plain record stays a record (cheaper to send).
 */
function withAcceptEncoding(
  input: string | URL | Request,
  headers: HeadersInit | undefined,
  accept: string,
): NonNullable<HeadersInit> {
  const base = headers ?? (input instanceof Request ? input.headers : undefined);
  if (base === undefined) return { "accept-encoding": accept };
  if (base instanceof Headers || Array.isArray(base)) {
    const out = new Headers(base);
    if (!out.has("accept-encoding")) out.set("accept-encoding", accept);
    return out;
  }
  for (const name in base) if (name.toLowerCase() === "accept-encoding") return base;
  return { ...base, "accept-encoding": accept };
}

/**
 * "deflate" is the zlib format, yet servers send raw deflate too and fetch takes both: the first
 * bytes tell which (a zlib header: method 8, and the two bytes a multiple of 31).
 */
async function decodeDeflate(
  raw: ReadableStream<Uint8Array>,
  decoding: BodyDecoding,
): Promise<ReadableStream<Uint8Array>> {
  const reader = raw.getReader();
  const first = await reader.read();
  const bytes = first.value;
  const zlib =
    bytes !== undefined &&
    bytes.byteLength >= 2 &&
    ((bytes[0] ?? 0) & 0x0f) === 8 &&
    (((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)) % 31 === 0;
  const rest = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (bytes !== undefined) controller.enqueue(bytes);
        if (first.done) controller.close();
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return rest.pipeThrough(decoding.decoder(zlib ? "deflate" : "deflate-raw"));
}
