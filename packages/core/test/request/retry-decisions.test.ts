/**
 * Which API calls are sent again, on what, how many times and after how long, against a real
 * server on 127.0.0.1 that answers from a script: the default statuses and methods, the
 * caller's policy, Retry-After's bound, the body resent byte for byte, and the events told.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { AuthEvent } from "../../src/observe/events.ts";
import { ApiError, requestApi } from "../fixtures/internal-api.ts";

interface Seen {
  method: string;
  contentType: string | null;
  bytes: Uint8Array;
}

const seen: Seen[] = [];
/** The answers to give, in order; the last is repeated. */
let script: (() => Response)[] = [];
let server: ReturnType<typeof Bun.serve>;
let base = "";

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      seen.push({
        method: request.method,
        contentType: request.headers.get("content-type"),
        bytes: new Uint8Array(await request.arrayBuffer()),
      });
      const answer = script[Math.min(seen.length - 1, script.length - 1)];
      return answer ? answer() : new Response("ok");
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));
beforeEach(() => {
  seen.length = 0;
  script = [];
});

const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(`status ${code}`, { status: code, headers });
const ok = () => new Response("done");
/** No backoff wait: these tests are about what is retried. */
const NOW = { baseDelayMs: 0, maxDelayMs: 0 };

function collect(): { events: AuthEvent[]; onEvent: (event: AuthEvent) => void } {
  const events: AuthEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

describe("what is retried by default", () => {
  test("each of 408, 429, 500, 502, 503 and 504 is sent again; 400, 401, 404, 501 are not", async () => {
    for (const code of [408, 429, 500, 502, 503, 504]) {
      seen.length = 0;
      script = [status(code), ok];
      const response = await requestApi({ url: `${base}/x`, authToken: "t", retry: NOW });
      expect([code, response.status, response.body, seen.length]).toEqual([code, 200, "done", 2]);
    }
    for (const code of [400, 401, 404, 501]) {
      seen.length = 0;
      script = [status(code), ok];
      const response = await requestApi({ url: `${base}/x`, authToken: "t", retry: NOW });
      expect([code, response.status, seen.length]).toEqual([code, code, 1]);
    }
  });

  test("GET, HEAD, OPTIONS, PUT and DELETE are retried; POST and PATCH are not", async () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "get"]) {
      seen.length = 0;
      script = [status(503), ok];
      const response = await requestApi({ url: `${base}/x`, authToken: "t", method, retry: NOW });
      expect([method, response.status, seen.length]).toEqual([method, 200, 2]);
    }
    for (const method of ["POST", "PATCH"]) {
      seen.length = 0;
      script = [status(503), ok];
      const response = await requestApi({ url: `${base}/x`, authToken: "t", method, retry: NOW });
      expect([method, response.status, seen.length]).toEqual([method, 503, 1]);
    }
  });

  test("the default limit is two retries: three sends, then the last answer is returned", async () => {
    script = [status(503, { "retry-after": "0" })];
    const response = await requestApi({ url: `${base}/x`, authToken: "t" });
    expect(response.status).toBe(503);
    expect(seen.length).toBe(3);
  });
});

describe("the caller's policy", () => {
  test("limit: exactly that many retries; 0 and a number 0 never retry", async () => {
    script = [status(502)];
    await requestApi({ url: `${base}/x`, authToken: "t", retry: { ...NOW, limit: 4 } });
    expect(seen.length).toBe(5);
    for (const retry of [0, { limit: 0 }]) {
      seen.length = 0;
      await requestApi({ url: `${base}/x`, authToken: "t", retry });
      expect(seen.length).toBe(1);
    }
    seen.length = 0;
    script = [status(502, { "retry-after": "0" })];
    await requestApi({ url: `${base}/x`, authToken: "t", retry: 1 });
    expect(seen.length).toBe(2);
  });

  test("methods named in any case are retried, POST included, resending the same bytes", async () => {
    script = [status(503), status(503), ok];
    const response = await requestApi({
      url: `${base}/x`,
      authToken: "t",
      method: "post",
      body: { a: [1, 2], b: "é" },
      retry: { ...NOW, methods: ["post"] },
    });
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.method)).toEqual(["POST", "POST", "POST"]);
    const text = JSON.stringify({ a: [1, 2], b: "é" });
    for (const s of seen) {
      expect(new TextDecoder().decode(s.bytes)).toBe(text);
      expect(s.contentType).toBe("application/json");
    }
  });

  test("a stream body is read once and resent byte for byte", async () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);
    script = [status(500), ok];
    await requestApi({
      url: `${base}/x`,
      authToken: "t",
      method: "PUT",
      body: new Blob([bytes]).stream(),
      retry: NOW,
    });
    expect(seen.length).toBe(2);
    for (const s of seen) expect(s.bytes).toEqual(bytes);
  });

  test("statusCodes replaces the default list", async () => {
    script = [status(418), ok];
    const teapot = await requestApi({
      url: `${base}/x`,
      authToken: "t",
      retry: { ...NOW, statusCodes: [418] },
    });
    expect([teapot.status, seen.length]).toEqual([200, 2]);
    seen.length = 0;
    script = [status(503), ok];
    const kept = await requestApi({
      url: `${base}/x`,
      authToken: "t",
      retry: { ...NOW, statusCodes: [418] },
    });
    expect([kept.status, seen.length]).toEqual([503, 1]);
  });

  test("the same option object gives the same policy each time it is passed", async () => {
    const retry = { ...NOW, limit: 1, methods: ["PATCH"] };
    for (let i = 0; i < 2; i++) {
      seen.length = 0;
      script = [status(503)];
      await requestApi({ url: `${base}/x`, authToken: "t", method: "PATCH", retry });
      expect(seen.length).toBe(2);
    }
  });
});

describe("the retry option's checks", () => {
  test.each([
    [{ limit: 1.5 }, /retry\.limit must be an integer >= 0/],
    [{ methods: ["GET", 1] }, /retry\.methods must be an array of method names/],
    [{ methods: [1] }, /retry\.methods/],
    [{ statusCodes: [503, "x"] }, /retry\.statusCodes must be an array of HTTP statuses/],
    [null, /retry must be a number or an object \(got null\)/],
  ])("retry: %p is a TypeError naming the field; nothing is sent", async (bad, message) => {
    const error = await requestApi({ url: `${base}/x`, authToken: "t", retry: bad as never }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(seen).toEqual([]);
  });
});

describe("the backoff", () => {
  test("the first retry waits at most baseDelayMs, after a status or a dropped connection", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const dead = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const { events, onEvent } = collect();
    const retry = { limit: 1, baseDelayMs: 4, maxDelayMs: 1000 };
    for (let i = 0; i < 12; i++) {
      script = [status(503), ok];
      seen.length = 0;
      await requestApi({ url: `${base}/x`, authToken: "t", retry, onEvent });
      await requestApi({ url: `${dead}/x`, authToken: "t", retry, onEvent }).catch(() => {});
    }
    const delays = events.map((e) => [
      (e as { reason: string }).reason,
      (e as { delayMs: number }).delayMs,
    ]);
    expect(delays.length).toBe(24);
    for (const [, delayMs] of delays) expect(delayMs as number).toBeLessThanOrEqual(4);
  });
});

describe("Retry-After", () => {
  test("a Retry-After above maxRetryAfterSec is not waited for: that answer is returned", async () => {
    script = [status(429, { "retry-after": "31" }), ok];
    const response = await requestApi({ url: `${base}/x`, authToken: "t" });
    expect(response.status).toBe(429);
    expect(seen.length).toBe(1);
    seen.length = 0;
    script = [status(429, { "retry-after": "2" }), ok];
    const lower = await requestApi({
      url: `${base}/x`,
      authToken: "t",
      retry: { maxRetryAfterSec: 1 },
    });
    expect([lower.status, seen.length]).toEqual([429, 1]);
  });

  test("a Retry-After at the bound is waited for, in seconds, and told in the event", async () => {
    script = [status(503, { "retry-after": "1" }), ok];
    const { events, onEvent } = collect();
    const started = performance.now();
    const response = await requestApi({
      url: `${base}/x`,
      authToken: "t",
      retry: { maxRetryAfterSec: 1, baseDelayMs: 0, maxDelayMs: 0 },
      onEvent,
    });
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(events).toEqual([
      {
        type: "request.retry",
        method: "GET",
        reason: "status",
        status: 503,
        delayMs: 1000,
        attempt: 1,
      },
    ]);
  });

  test("without Retry-After the backoff is used: within its cap", async () => {
    script = [status(503), status(503), ok];
    const { events, onEvent } = collect();
    await requestApi({
      url: `${base}/x`,
      authToken: "t",
      retry: { baseDelayMs: 1, maxDelayMs: 3 },
      onEvent,
    });
    expect(events.map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    for (const event of events) {
      const { delayMs } = event as { delayMs: number };
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(3);
    }
  });
});

describe("connections that fail", () => {
  test("a refused connection is retried; the error names the attempts and holds no token", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const dead = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const { events, onEvent } = collect();
    const error = await requestApi({
      url: `${dead}/x?key=tok-SECRET-retry`,
      authToken: "tok-SECRET-retry",
      retry: { ...NOW, limit: 2 },
      onEvent,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("API_ERROR");
    expect((error as ApiError).reason).toBe("network");
    expect((error as ApiError).message).toContain(`(GET ${dead}/x, 3 attempts)`);
    expect(String((error as Error).message)).not.toContain("tok-SECRET-retry");
    expect(Bun.inspect(error)).not.toContain("tok-SECRET-retry");
    expect(events.map((e) => [e.type, (e as { reason: string }).reason])).toEqual([
      ["request.retry", "network"],
      ["request.retry", "network"],
    ]);
  });

  test("a call that is not retried says nothing of attempts", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const dead = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const error = (await requestApi({
      url: `${dead}/x`,
      authToken: "t",
      method: "POST",
    }).catch((thrown: unknown) => thrown)) as ApiError;
    expect(error.reason).toBe("network");
    expect(error.message).toMatch(new RegExp(`\\(POST ${dead}/x\\)$`));
  });

  test("an abort during the wait ends the call at once with an ApiError of reason aborted", async () => {
    script = [status(503, { "retry-after": "20" })];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = (await requestApi({
      url: `${base}/x?q=secret`,
      authToken: "t",
      signal: controller.signal,
    }).catch((thrown: unknown) => thrown)) as ApiError;
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.reason).toBe("aborted");
    expect(error.message).toBe(
      `API request failed: aborted while waiting to retry (GET ${base}/x)`,
    );
    expect(error.request).toBe(`GET ${base}/x`);
  });
});
