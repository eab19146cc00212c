/**
 * A server on 127.0.0.1 (Bun.serve) for the grants' tests: it records every request it is sent
 * (method, path with query, headers, body) and answers the nth one (from 1) as the test says.
 */

export interface SeenRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: Headers;
  readonly body: string;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly seen: SeenRequest[];
  stop(): void;
}

export function recordingServer(
  answer: (seen: SeenRequest, n: number) => Response | Promise<Response>,
): RecordingServer {
  const seen: SeenRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const entry: SeenRequest = {
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body: await request.text(),
      };
      seen.push(entry);
      return answer(entry, seen.length);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

/** A JSON answer. */
export const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

/** An origin on 127.0.0.1 where nothing listens (a server started, then stopped). */
export function closedOrigin(): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  server.stop(true);
  return url;
}
