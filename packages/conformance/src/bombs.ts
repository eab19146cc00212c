/**
 * Compression bombs, the one generator the suite and the bomb benchmark share: 1 GiB of zeros in
 * each HTTP content coding a runtime's fetch may decode. Built from a repeated unit, not by
 * compressing a gigabyte, so each is made in milliseconds (brotli, which has no such unit, in
 * about a second), and on Node 20 too, whose zlib has no zstd.
 */
import { constants, crc32, createBrotliCompress, deflateRawSync } from "node:zlib";

/** The content codings a bomb comes in. */
export const BOMB_ENCODINGS = ["gzip", "deflate", "br", "zstd"] as const;
export type BombEncoding = (typeof BOMB_ENCODINGS)[number];

/** What each bomb inflates to: 1 GiB. */
export const BOMB_INFLATED_BYTES = 1 << 30;

const MIB = 1 << 20;

/**
 * Raw deflate of `count` MiB of zeros, without its final block: one MiB compressed with a full
 * flush is byte-aligned and refers to nothing before it, so copies of it can follow each other.
 */
function deflatedZeros(count: number): Uint8Array[] {
  const unit = deflateRawSync(new Uint8Array(MIB), {
    level: 9,
    finishFlush: constants.Z_FULL_FLUSH,
  });
  return Array.from({ length: count }, () => unit);
}

/** The empty final block that ends a raw deflate stream. */
const FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** gzip (RFC 1952): header, deflate, CRC-32 and length of the gigabyte; about 1 MB. */
function gzipBomb(): Uint8Array {
  const zeros = new Uint8Array(MIB);
  let crc = 0;
  for (let i = 0; i < BOMB_INFLATED_BYTES / MIB; i++) crc = crc32(zeros, crc);
  const trailer = new DataView(new ArrayBuffer(8));
  trailer.setUint32(0, crc >>> 0, true);
  trailer.setUint32(4, BOMB_INFLATED_BYTES % 2 ** 32, true);
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff);
  return concat([
    header,
    ...deflatedZeros(BOMB_INFLATED_BYTES / MIB),
    FINAL_BLOCK,
    new Uint8Array(trailer.buffer),
  ]);
}

/** HTTP's "deflate", the zlib format (RFC 1950): header, deflate, Adler-32; about 1 MB. */
function deflateBomb(): Uint8Array {
  // Adler-32 of n zeros: a stays 1, b is n (mod 65521).
  const adler = new DataView(new ArrayBuffer(4));
  adler.setUint32(0, ((BOMB_INFLATED_BYTES % 65521) << 16) | 1);
  return concat([
    Uint8Array.of(0x78, 0xda),
    ...deflatedZeros(BOMB_INFLATED_BYTES / MIB),
    FINAL_BLOCK,
    new Uint8Array(adler.buffer),
  ]);
}

/**
 * zstd (RFC 8878): one frame of RLE blocks, each 128 KiB of zeros in 4 bytes: 32 KiB on the
 * wire. No content size is declared, as a streaming compressor would not.
 */
function zstdBomb(): Uint8Array {
  const BLOCK = 128 * 1024;
  const blocks = BOMB_INFLATED_BYTES / BLOCK;
  const out = new Uint8Array(6 + blocks * 4);
  // Magic number, then a frame header with only a window descriptor (2^17 bytes).
  out.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3]);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    // Block header (3 bytes, little-endian): last flag, type 1 (RLE), size; then the byte.
    const header = (BLOCK << 3) | (1 << 1) | last;
    out.set([header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff, 0], 6 + i * 4);
  }
  return out;
}

/** brotli (RFC 7932), compressed a MiB at a time at quality 5: under 1 KB on the wire. */
async function brotliBomb(): Promise<Uint8Array> {
  const brotli = createBrotliCompress({
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 },
  });
  const chunks: Uint8Array[] = [];
  brotli.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    brotli.on("end", resolve);
    brotli.on("error", reject);
  });
  const zeros = new Uint8Array(MIB);
  for (let i = 0; i < BOMB_INFLATED_BYTES / MIB; i++) {
    if (!brotli.write(zeros)) await new Promise((resolve) => brotli.once("drain", resolve));
  }
  brotli.end();
  await ended;
  return concat(chunks);
}

const made = new Map<BombEncoding, Promise<Uint8Array>>();

/** The bomb in `encoding`, made once per process. */
export function compressionBomb(encoding: BombEncoding): Promise<Uint8Array> {
  let bomb = made.get(encoding);
  if (bomb === undefined) {
    bomb =
      encoding === "br"
        ? brotliBomb()
        : Promise.resolve(
            encoding === "gzip" ? gzipBomb() : encoding === "deflate" ? deflateBomb() : zstdBomb(),
          );
    made.set(encoding, bomb);
  }
  return bomb;
}
