/**
 * A hostile gateway in a process of its own, for bomb-rss.ts: a token endpoint, a small answer,
 * and a bomb (1 GiB of zeros) in each content coding on the API and token paths:
 * `/bomb/<coding>` and `/bomb-session/<coding>`. Prints
 * `{"url": "http://127.0.0.1:<port>", "bytes": {<coding>: <wire bytes>}}` once it listens;
 * runs until killed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  BOMB_ENCODINGS,
  type BombEncoding,
  compressionBomb,
} from "../../../packages/conformance/src/bombs.ts";

const bombs = new Map<string, Uint8Array>();
for (const encoding of BOMB_ENCODINGS) bombs.set(encoding, await compressionBomb(encoding));
const session = JSON.stringify({ accessToken: "tok-bomb-bench", expiresIn: 900 });

const server = createServer((request, response) => {
  request.resume();
  const [, path, encoding = ""] = (request.url ?? "").split("/");
  const bomb = bombs.get(encoding);
  if ((path === "bomb" || path === "bomb-session") && bomb !== undefined) {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": encoding,
      "content-length": String(bomb.byteLength),
    });
    response.end(bomb);
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(request.url === "/auth/session" ? session : '{"ok":true}');
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  const bytes = Object.fromEntries(
    [...bombs].map(([encoding, bomb]) => [encoding as BombEncoding, bomb.byteLength]),
  );
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, bytes })}\n`);
});
