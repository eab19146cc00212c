/**
 * A raw HTTP/1.1 server on 127.0.0.1 that sends a chunked body in parts of chosen sizes, a pause
 * between each, so a client's reader sees them as separate chunks; it may stall after the last
 * part instead of ending. It records when each connection closes, which is how a test sees that
 * a client cancelled a body it stopped reading.
 */
import { createServer, type Socket } from "node:net";

export interface ChunkedAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** The body's parts, each written as one HTTP chunk after a short pause. */
  readonly parts: readonly (string | Uint8Array)[];
  /** Never end the body: wait after the last part (or keep calling `more` if given). */
  readonly stall?: boolean;
  /** Parts sent after `parts`, one every few milliseconds until the client goes. */
  readonly more?: () => Uint8Array;
}

export interface ChunkedServer {
  readonly url: string;
  /** Resolves once no connection that asked for `path` is open (the client went). */
  closed(path: string): Promise<void>;
  stop(): void;
}

const PAUSE_MS = 15;
const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

export async function chunkedServer(
  answer: (path: string) => ChunkedAnswer,
): Promise<ChunkedServer> {
  const sockets = new Set<Socket>();
  const open = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", async (data) => {
      const path = data.toString("latin1").split(" ")[1] ?? "/";
      open.set(path, (open.get(path) ?? 0) + 1);
      socket.on("close", () => {
        open.set(path, (open.get(path) ?? 1) - 1);
        for (const waiter of waiters) waiter();
      });
      const { status = 200, headers = {}, parts, stall, more } = answer(path);
      const head = Object.entries({ ...headers, "transfer-encoding": "chunked" })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(`HTTP/1.1 ${status} X\r\n${head}\r\n`);
      const send = (part: string | Uint8Array) => {
        const bytes = typeof part === "string" ? new TextEncoder().encode(part) : part;
        socket.write(`${bytes.byteLength.toString(16)}\r\n`);
        socket.write(bytes);
        socket.write("\r\n");
      };
      for (const part of parts) {
        await pause();
        if (socket.destroyed) return;
        send(part);
      }
      if (more) {
        while (!socket.destroyed) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (!socket.destroyed) send(more());
        }
      } else if (!stall) {
        socket.end("0\r\n\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    closed(path) {
      return new Promise((resolve) => {
        const check = () => {
          if ((open.get(path) ?? 0) > 0) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Resolves with `promise`'s outcome, or with "pending" when it takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
