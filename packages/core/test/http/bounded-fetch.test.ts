/** One bounded exchange (http/bounded-fetch.ts), against a real server on 127.0.0.1. */
import { afterAll, describe, expect, test } from "bun:test";
import { boundedFetch } from "../../src/http/bounded-fetch.ts";

const encoder = new TextEncoder();
let redirectTargetHits = 0;
let lastInit: { method: string; body: string; accept: string | null } | undefined;

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const path = new URL(request.url).pathname;
    lastInit = {
      method: request.method,
      body: await request.text(),
      accept: request.headers.get("accept"),
    };
    if (path === "/redirect") {
      return new Response("moved", { status: 307, headers: { location: "/elsewhere" } });
    }
    if (path === "/elsewhere") {
      redirectTargetHits++;
      return new Response("followed");
    }
    if (path === "/large") return new Response("x".repeat(2048));
    if (path === "/error") return new Response("an error page", { status: 500 });
    if (path === "/stall") {
      // Headers and a first chunk at once, then nothing: only the timeout ends the read.
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode("{"));
          },
        }),
      );
    }
    return new Response("ok");
  },
});
const base = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

const request = (path: string, extra: Partial<Parameters<typeof boundedFetch>[0]> = {}) =>
  boundedFetch({
    fetch: (input, init) => fetch(input, init),
    url: `${base}${path}`,
    init: {},
    timeoutMs: 2_000,
    signal: new AbortController().signal,
    maxBytes: 1024,
    ...extra,
  });

describe("boundedFetch", () => {
  test("a redirect is answered as it came, never followed, and its body is not read", async () => {
    const { response, text } = await request("/redirect");
    expect(response.status).toBe(307);
    expect(text).toBeUndefined();
    expect(redirectTargetHits).toBe(0);
  });

  test("a body over the cap is not kept; one within it is", async () => {
    expect((await request("/large")).text).toBeUndefined();
    expect((await request("/large", { maxBytes: 4096 })).text).toBe("x".repeat(2048));
  });

  test("the caller chooses which answers are read: an error page left unread", async () => {
    const { response, text } = await request("/error", { readBody: (r) => r.ok });
    expect(response.status).toBe(500);
    expect(text).toBeUndefined();
    expect((await request("/error")).text).toBe("an error page");
  });

  test("what is sent is made for the attempt, and the work meanwhile runs once it is sent", async () => {
    const order: string[] = [];
    const { text } = await request("/", {
      init: async () => {
        order.push("init");
        return { method: "POST", headers: { accept: "application/json" }, body: "a=1" };
      },
      whileSent: () => order.push("sent"),
    });
    expect(text).toBe("ok");
    expect(order).toEqual(["init", "sent"]);
    expect(lastInit).toEqual({ method: "POST", body: "a=1", accept: "application/json" });
  });

  test("a body that stalls ends with the attempt's timeout", async () => {
    const started = performance.now();
    const error = await request("/stall", { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("TimeoutError");
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  test("the caller's abort ends a stalled read at once, with the abort's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 50);
    const error = await request("/stall", { signal: controller.signal, timeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(reason);
  });
});
