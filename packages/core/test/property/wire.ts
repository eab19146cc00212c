/**
 * A real HTTP/1.1 server on 127.0.0.1 that replays drawn answers byte for byte and records every
 * request it is sent. Raw sockets (node:net, on Bun and on Node alike) rather than Bun.serve:
 * a hostile answer lies in its framing (a Content-Length that is too long or too short, chunked
 * and a length at once), which a server that frames for us would correct.
 */
import { createServer, type Server, type Socket } from "node:net";

export type Framing =
  | "length"
  | "length-longer"
  | "length-shorter"
  | "chunked"
  | "chunked-and-length"
  | "close";

/** One drawn answer. `body` is what goes on the wire (already encoded). */
export interface Answer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  readonly framing: Framing;
  /** Never answer: the client's timeout must end the call. */
  readonly stall?: boolean;
  /** What the body holds once decoded, when the encoding is real; for the size invariant. */
  readonly decodedBytes: number;
}

export interface Recorded {
  /** The origin of the server that got it. */
  readonly origin: string;
  readonly method: string;
  /** The request target (path and query). */
  readonly target: string;
  /** The request head as sent (request line and headers). */
  readonly head: string;
  readonly body: string;
  /** The status of the answer replayed for it (the body is not kept: runs are memoized). */
  readonly status: number | undefined;
}

export interface ReplayServer {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK",
  301: "Moved",
  401: "Unauthorized",
  500: "Error",
};
const encoder = new TextEncoder();

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The bytes of `answer` as an HTTP/1.1 response. */
export function responseBytes(answer: Answer): Uint8Array {
  const { body, framing } = answer;
  const lines = [`HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? "Status"}`];
  for (const [name, value] of answer.headers) lines.push(`${name}: ${value}`);
  if (framing === "length") lines.push(`Content-Length: ${body.length}`);
  if (framing === "length-longer")
    lines.push(`Content-Length: ${body.length + 1 + (body.length >> 1)}`);
  if (framing === "length-shorter") lines.push(`Content-Length: ${body.length >> 1}`);
  if (framing === "chunked-and-length")
    lines.push(`Content-Length: ${Math.max(1, body.length >> 2)}`);
  let payload = body;
  if (framing === "chunked" || framing === "chunked-and-length") {
    lines.push("Transfer-Encoding: chunked");
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < body.length; at += 8192) {
      const part = body.subarray(at, at + 8192);
      chunks.push(encoder.encode(`${part.length.toString(16)}\r\n`), part, encoder.encode("\r\n"));
    }
    chunks.push(encoder.encode("0\r\n\r\n"));
    payload = concat(chunks);
  }
  lines.push("Connection: close", "", "");
  return concat([encoder.encode(lines.join("\r\n")), payload]);
}

/** Parses one request from `buffer`, or undefined while it is incomplete. */
function parseRequest(buffer: Buffer): { head: string; body: Buffer } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buffer.subarray(0, end).toString("latin1");
  const rest = buffer.subarray(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString("latin1"), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) return { head, body: Buffer.concat(parts) };
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const want = length === undefined ? 0 : Number(length);
  return rest.length >= want ? { head, body: rest.subarray(0, want) } : undefined;
}

const usedPorts = new Set<number>();

/**
 * Starts a replay server. `answer` picks the answer of each request (undefined: 404); every
 * request goes into `log`, with its origin, before it is answered.
 */
export async function startReplayServer(
  answer: (request: Omit<Recorded, "status">) => Answer | undefined,
  log: Recorded[],
): Promise<ReplayServer> {
  const sockets = new Set<Socket>();
  let origin = "";
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    let answered = false;
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      buffer = Buffer.concat([buffer, chunk]);
      const request = parseRequest(buffer);
      if (!request) return;
      answered = true;
      const [method = "", target = ""] = request.head.split("\r\n", 1)[0]?.split(" ") ?? [];
      const seen = {
        origin,
        method,
        target,
        head: request.head,
        body: request.body.toString("latin1"),
      };
      const picked = answer(seen);
      log.push({ ...seen, status: picked?.status });
      if (picked?.stall) return;
      const bytes = picked
        ? responseBytes(picked)
        : encoder.encode(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
          );
      socket.end(bytes);
    });
  });
  // Never a port an earlier run of this process used: the runtime keeps some things per URL for
  // the process (a discovered endpoint), and a late request of an earlier run must not land here.
  let port = 0;
  for (;;) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    if (!usedPorts.has(port)) break;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  usedPorts.add(port);
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
