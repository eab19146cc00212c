/** The pooled per-attempt timeouts of API and token requests (src/http/attempt-timeout.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { AttemptTimeouts, withAttemptTimeout } from "../../src/http/attempt-timeout.ts";

const CLIENT_KEY = "ck_attempt_timeout_0123456789";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("AttemptTimeouts", () => {
  test("an attempt past its deadline is aborted with a TimeoutError; the next one gets a new signal", async () => {
    const timeouts = new AttemptTimeouts({ reuseSignals: true });
    const late = timeouts.start(30, false);
    const lateSignal = late.signal;
    await sleep(80);
    expect(lateSignal.aborted).toBe(true);
    expect((lateSignal.reason as Error).name).toBe("TimeoutError");
    timeouts.end(late);
    const next = timeouts.start(30, false);
    expect(next.signal).not.toBe(lateSignal);
    expect(next.signal.aborted).toBe(false);
    timeouts.end(next);
  });

  test("attempts one after another share a signal that never fires, each timed from its own start", async () => {
    const timeouts = new AttemptTimeouts({ reuseSignals: true });
    let signal: AbortSignal | undefined;
    // Four attempts of 300 ms with a 1 s timeout: 1.2 s in all, each within its own time.
    for (let i = 0; i < 4; i++) {
      const attempt = timeouts.start(1000, false);
      signal ??= attempt.signal;
      expect(attempt.signal).toBe(signal);
      await sleep(300);
      expect(attempt.signal.aborted).toBe(false);
      timeouts.end(attempt);
    }
  });

  test("a reused slot's timer fires for a shorter timeout than the one it was armed for", async () => {
    const timeouts = new AttemptTimeouts({ reuseSignals: true });
    timeouts.end(timeouts.start(10_000, false));
    const short = timeouts.start(30, false);
    await sleep(80);
    expect(short.signal.aborted).toBe(true);
    timeouts.end(short);
  });

  test("a signal that may be kept (caller's fetch or signal, or Node) serves one attempt only", () => {
    for (const [reuseSignals, keepsSignal] of [
      [true, true],
      [false, false],
    ] as const) {
      const timeouts = new AttemptTimeouts({ reuseSignals });
      const first = timeouts.start(1000, keepsSignal);
      const firstSignal = first.signal;
      timeouts.end(first);
      const second = timeouts.start(1000, false);
      expect(second.signal).not.toBe(firstSignal);
      timeouts.end(second);
    }
  });
});

/** An exchange that ends only when its signal aborts, rejecting with the signal's reason. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

describe("withAttemptTimeout (the token request's attempts)", () => {
  test("an exchange past timeoutMs is aborted with a TimeoutError; the next exchange gets a new signal", async () => {
    let first: AbortSignal | undefined;
    const started = performance.now();
    const error = (await withAttemptTimeout(100, undefined, (signal) => {
      first = signal;
      return untilAborted(signal);
    }).catch((e: unknown) => e)) as Error;
    const elapsed = performance.now() - started;
    expect(error.name).toBe("TimeoutError");
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
    const value = await withAttemptTimeout(100, undefined, async (signal) => {
      expect(signal).not.toBe(first);
      expect(signal.aborted).toBe(false);
      return 7;
    });
    expect(value).toBe(7);
  });

  test("the caller's abort reaches the exchange with the caller's reason, before the timeout", async () => {
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 30);
    const error = await withAttemptTimeout(10_000, controller.signal, untilAborted).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(reason);
  });

  test("consecutive exchanges are each timed from their own start", async () => {
    // Three exchanges of 150 ms under a 250 ms timeout: 450 ms in all, none timed out.
    for (let i = 0; i < 3; i++) {
      const value = await withAttemptTimeout(250, undefined, async (signal) => {
        await sleep(150);
        return signal.aborted;
      });
      expect(value).toBe(false);
    }
  });

  test("its timer keeps the process alive while an exchange runs (a caller's fetch may not)", async () => {
    const module = join(import.meta.dir, "../../src/http/attempt-timeout.ts");
    const script = `
      import { withAttemptTimeout } from ${JSON.stringify(module)};
      const never = (signal) => new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
      await withAttemptTimeout(200, undefined, never).catch((e) => console.log(e.name));
    `;
    const child = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: "TimeoutError" });
  }, 30_000);
});

describe("a process making API requests", () => {
  let gateway: DevGateway;
  let root: string;
  beforeAll(async () => {
    gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
    root = await mkdtemp(join(tmpdir(), "openclaw-attempt-"));
  });
  afterAll(async () => {
    await gateway.stop();
    await rm(root, { recursive: true, force: true });
  });

  test("exits once its last request is done, not when the request timeout would have fired", async () => {
    const index = join(import.meta.dir, "../../src/index.ts");
    const script = `
      import { requestApiWithAutoRefresh } from ${JSON.stringify(index)};
      for (let i = 0; i < 3; i++) {
        const res = await requestApiWithAutoRefresh({ url: "/echo" });
        if (res.status !== 200) process.exit(3);
      }
      console.log("done");
    `;
    const started = performance.now();
    const child = Bun.spawn(["bun", "-e", script], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        CLIENT_KEY,
        AUTH_BASE: gateway.url,
        AUTH_CACHE_DIR: join(root, "cache"),
        AUTH_TIMEOUT_MS: "60000",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    const ms = performance.now() - started;
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: "done" });
    // The timeout is a minute; start-up and three requests take well under ten seconds.
    expect(ms).toBeLessThan(10_000);
  }, 30_000);
});
