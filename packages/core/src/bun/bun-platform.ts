/** The Bun platform: Bun's native SHA-256 and a fetch that decodes as it reads, over the POSIX file services. */
import { type BodyFormat, decodingAsRead } from "../http/body-decoding.ts";
import { proxyFromEnv } from "../http/proxy.ts";
import type { Platform } from "../platform/platform.ts";
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

export const bunPlatform: Platform = {
  ...posixServices,
  fetchReleasesSignals: true,
  // Bun's decoder runs on after a cancel (a 32 KB zstd bomb: 1.6 GB); a DecompressionStream
  // inflates only what is pulled from it.
  fetch: decodingAsRead({
    init: { decompress: false },
    acceptEncoding: "gzip, deflate, br, zstd",
    decoder: (format) =>
      new DecompressionStream(DECOMPRESSION_FORMATS[format]) as TransformStream<
        Uint8Array,
        Uint8Array
      >,
  }),
  // Read when a request failed, as Bun's fetch read them for it (it reads them per request).
  proxyFor: (url) => proxyFromEnv(url, process.env),
  // The static one-shot hash: a CryptoHasher object per call costs four times as much.
  sha256Hex: (text) => Bun.CryptoHasher.hash("sha256", text, "hex"),
};
