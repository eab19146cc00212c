/**
 * Compression bombs (512 MiB of zeros as a JSON string) in every encoding the runtime can
 * decode. Built once in a child process, so the zeros never enter this process's memory (its
 * RSS is what the bomb family measures), and kept in the temp dir for later runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOMBS, type BombEncoding } from "./answers.ts";

export const BOMB_BYTES = 512 * 1024 * 1024;
const DIR = join(tmpdir(), "openclaw-props-bombs-v3");

/** Run in a child: streams 1 MiB blocks of zeros through each encoder, so it stays small too. */
const BUILD = `
const z = require("node:zlib"), fs = require("node:fs"), path = require("node:path");
const dir = process.argv.at(-2), size = Number(process.argv.at(-1));
const block = Buffer.alloc(1 << 20, 0x30);
const make = {
  gzip: () => z.createGzip({ level: 6 }),
  deflate: () => z.createDeflate({ level: 6 }),
  br: () => z.createBrotliCompress({ params: { [z.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  zstd: () => (z.createZstdCompress ? z.createZstdCompress() : undefined),
};
(async () => {
  for (const [name, create] of Object.entries(make)) {
    const file = path.join(dir, name + ".bin");
    const encoder = create();
    if (fs.existsSync(file) || !encoder) continue;
    const out = fs.createWriteStream(file + ".tmp");
    const done = new Promise((resolve, reject) => { out.on("finish", resolve); out.on("error", reject); });
    encoder.pipe(out);
    encoder.write('"');
    for (let sent = 2; sent < size; sent += block.length) {
      const part = sent + block.length > size ? block.subarray(0, size - sent) : block;
      if (!encoder.write(part)) await new Promise((r) => encoder.once("drain", r));
    }
    encoder.end('"');
    await done;
    fs.renameSync(file + ".tmp", file);
  }
})();
`;

/** The encodings with a bomb built (zstd only where the runtime's zlib compresses it). */
export async function loadBombs(): Promise<BombEncoding[]> {
  await mkdir(DIR, { recursive: true });
  const names: BombEncoding[] = ["gzip", "deflate", "br", "zstd"];
  if (!names.every((n) => existsSync(join(DIR, `${n}.bin`)))) {
    const args = process.versions.bun ? ["-e", BUILD, "--", DIR] : ["-e", BUILD, DIR];
    spawnSync(process.execPath, [...args, String(BOMB_BYTES)], {
      stdio: "ignore",
      timeout: 120_000,
    });
  }
  const found: BombEncoding[] = [];
  for (const name of names) {
    const file = join(DIR, `${name}.bin`);
    if (!existsSync(file)) continue;
    BOMBS.set(name, { body: new Uint8Array(readFileSync(file)), decodedBytes: BOMB_BYTES });
    found.push(name);
  }
  return found;
}
