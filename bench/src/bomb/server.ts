/**
 * A hostile gateway in a process of its own, for bomb-rss.ts: a token endpoint, a small answer,
 * and a gzip bomb (1 GiB of zeros, about 1 MB on the wire) on the API and token paths. Prints
 * `{"url": "http://127.0.0.1:<port>"}` once it listens; runs until killed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";

/** 1 GiB of zeros, gzipped, made in chunks so that this process never holds the gigabyte. */
async function gzipBomb(): Promise<Uint8Array> {
  const gzip = createGzip({ level: 9 });
  const chunks: Uint8Array[] = [];
  gzip.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
  });
  const zeros = new Uint8Array(1 << 20);
  for (let i = 0; i < 1024; i++) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await ended;
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

const bomb = await gzipBomb();
const session = JSON.stringify({ accessToken: "tok-bomb-bench", expiresIn: 900 });

const server = createServer((request, response) => {
  request.resume();
  switch (request.url) {
    case "/auth/session":
      response.writeHead(200, { "content-type": "application/json" });
      response.end(session);
      return;
    case "/small":
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"ok":true}');
      return;
    default:
      // /bomb (an API answer) and /bomb-session (a token answer): the same megabyte.
      response.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": String(bomb.byteLength),
      });
      response.end(bomb);
  }
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${port}`, bytes: bomb.byteLength })}\n`,
  );
});
