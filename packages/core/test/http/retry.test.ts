/** Backoff, Retry-After parsing, and cancellable waits of the token request. */
import { describe, expect, test } from "bun:test";
import { AuthNetworkError } from "../../src/errors/errors.ts";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  describeFetchFailure,
  parseRetryAfter,
  raceSignal,
  sleep,
} from "../../src/http/retry.ts";

describe("parseRetryAfter", () => {
  test("delta-seconds, fractions included", () => {
    expect(parseRetryAfter("1")).toBe(1);
    expect(parseRetryAfter(" 2.5 ")).toBe(2.5);
    expect(parseRetryAfter("0")).toBe(0);
  });

  test("an HTTP date, relative to now, never negative", () => {
    const now = Date.parse("Sun, 06 Nov 1994 08:49:37 GMT");
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now)).toBe(10);
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", now)).toBe(0);
  });

  test("absent or garbage is undefined", () => {
    for (const value of [null, "", "  ", "soon", "-1", "1e3"]) {
      expect(parseRetryAfter(value)).toBeUndefined();
    }
  });
});

describe("backoff", () => {
  test("full jitter below a doubling ceiling, capped", () => {
    const policy = { ...DEFAULT_RETRY_POLICY };
    for (let retry = 0; retry < 8; retry++) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelayMs(policy, retry);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  test("the documented defaults", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      limit: 3,
      baseDelayMs: 250,
      maxDelayMs: 4000,
      maxRetryAfterSec: 30,
    });
  });
});

const REQUEST = "POST https://gw.example.com/auth/session";

describe("cancellable waits", () => {
  test("sleep rejects with an aborted AuthNetworkError for the waiting request when the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal, REQUEST);
    controller.abort();
    const error = (await waiting.catch((e: unknown) => e)) as AuthNetworkError;
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect(error.aborted).toBe(true);
    expect(error.reason).toBe("aborted");
    expect(error.request).toBe(REQUEST);
    await expect(sleep(1, AbortSignal.abort(), REQUEST)).rejects.toBeInstanceOf(AuthNetworkError);
  });

  test("raceSignal leaves the shared promise running for others", async () => {
    let resolve!: (value: string) => void;
    const shared = new Promise<string>((r) => {
      resolve = r;
    });
    const controller = new AbortController();
    const mine = raceSignal(shared, controller.signal, "Getting a token", REQUEST);
    controller.abort();
    await expect(mine).rejects.toMatchObject({
      message: "Getting a token was aborted",
      reason: "aborted",
      request: REQUEST,
    });
    resolve("token");
    expect(await shared).toBe("token");
  });

  test("raceSignal reports an abort, once, and only when it came first", async () => {
    let aborts = 0;
    const controller = new AbortController();
    const pending = raceSignal(
      new Promise(() => {}),
      controller.signal,
      "x",
      REQUEST,
      () => aborts++,
    );
    controller.abort();
    controller.abort();
    await expect(pending).rejects.toThrow("x was aborted");
    expect(aborts).toBe(1);
    const late = new AbortController();
    expect(await raceSignal(Promise.resolve(1), late.signal, "x", REQUEST, () => aborts++)).toBe(1);
    late.abort();
    await expect(
      raceSignal(Promise.resolve(1), AbortSignal.abort(), "x", REQUEST, () => aborts++),
    ).rejects.toThrow("x was aborted");
    expect(aborts).toBe(2);
  });

  test("describeFetchFailure tells abort, timeout and network apart", () => {
    const timeout = new DOMException("t", "TimeoutError");
    expect(describeFetchFailure(timeout, undefined, 300)).toEqual({
      kind: "timeout",
      reason: "timed out after 300 ms",
    });
    expect(describeFetchFailure(new Error("x"), AbortSignal.abort(), 300).kind).toBe("aborted");
    expect(describeFetchFailure(new TypeError("ECONNREFUSED"), undefined, 300)).toEqual({
      kind: "network",
      reason: "ECONNREFUSED",
    });
    const undici = new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
    expect(describeFetchFailure(undici, undefined, 300).reason).toBe("fetch failed (ENOTFOUND)");
  });
});
