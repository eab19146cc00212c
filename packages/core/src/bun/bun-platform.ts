/** The Bun platform: Bun's native SHA-256 and a fetch that decodes as it reads, over the POSIX file services. */
import type { BodyFormat } from "../http/body-decoding.ts";
import { lazy } from "../platform/lazy.ts";
import type { FetchLike, Platform } from "../platform/platform.ts";
import { posixServices } from "../posix/posix-files.ts";

/** Bun's DecompressionStream takes brotli and zstd too, under its own names. */
const DECOMPRESSION_FORMATS: Record<
  BodyFormat,
  ConstructorParameters<typeof DecompressionStream>[0]
> = {
  gzip: "gzip",
  deflate: "deflate",
  "deflate-raw": "deflate-raw",
  br: "brotli",
  zstd: "zstd",
};

// Loaded with the first request or the first failed one: a warm token and a lock wait send none.
const bodyDecoding = lazy<typeof import("../http/body-decoding.ts")>(() =>
  require("../http/body-decoding.ts"),
);
const proxies = lazy<typeof import("../http/proxy.ts")>(() => require("../http/proxy.ts"));

/**
 * Bun's fetch asked for bodies as sent, each decoded as it is read; built on the first request.
 * Bun's decoder runs on after a cancel (a 32 KB zstd bomb: 1.6 GB); a DecompressionStream
 * inflates only what is pulled from it.
 */
let decodingFetch: FetchLike | undefined;
function decodingAsRead(): FetchLike {
  decodingFetch ??= bodyDecoding().decodingAsRead({
    init: { decompress: false },
    acceptEncoding: "gzip, deflate, br, zstd",
    decoder: (format) =>
      new DecompressionStream(DECOMPRESSION_FORMATS[format]) as TransformStream<
        Uint8Array,
        Uint8Array
      >,
  });
  return decodingFetch;
}

export const bunPlatform: Platform = {
  ...posixServices,
  fetchReleasesSignals: true,
  fetch: (input, init) => decodingAsRead()(input, init),
  // Read when a request failed, as Bun's fetch read them for it (it reads them per request).
  proxyFor: (url) => proxies().proxyFromEnv(url, process.env),
  // The static one-shot hash: a CryptoHasher object per call costs four times as much.
  sha256Hex: (text) => Bun.CryptoHasher.hash("sha256", text, "hex"),
};
