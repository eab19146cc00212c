/**
 * The few `Bun` APIs the CLI's source uses, on Node, for the Node build only (build-package.ts
 * puts `import { Bun } from` this module into each CLI module that names `Bun`; nothing global
 * is defined, so the runtime's own code cannot mistake Node for Bun). The build fails on a `Bun.`
 * member that is not here, so a new use cannot slip into the Node build unnoticed.
 */
import { createHash } from "node:crypto";
import { writeSync } from "node:fs";

/** Blocks the thread for `ms` (as Bun.sleepSync), without a busy loop. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A standard stream as Bun.stdout and Bun.stderr stand for it: its file descriptor. */
interface Sink {
  readonly fd: 1 | 2;
}

/**
 * Writes all of `text` to the sink's descriptor, going on after a partial write (EAGAIN on a
 * non-blocking pipe waits). `process.stdout` is not used: as under Bun, building Node's stream
 * costs start-up, and the CLI orders its own writes.
 */
async function write(sink: Sink, text: string): Promise<number> {
  const all = Buffer.from(text);
  let bytes = all;
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(sink.fd, bytes));
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      sleepSync(1);
    }
  }
  return all.length;
}

/** All of stdin (only `request --data -` reads it). */
async function stdinBytes(): Promise<ArrayBuffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
}

export const Bun = {
  CryptoHasher: {
    hash: (algorithm: string, text: string, encoding: "hex") =>
      createHash(algorithm).update(text, "utf8").digest(encoding),
  },
  sleepSync,
  stdout: { fd: 1 } as Sink,
  stderr: { fd: 2 } as Sink,
  stdin: { arrayBuffer: stdinBytes },
  write,
};
