/**
 * The waits of a store's watch (docs/locks.md, "Notifications"): a change, a close or an aborted
 * signal ends a wait; each wait below would otherwise last longer than the test may run.
 */
import { describe, expect, test } from "bun:test";
import { anyWatch, ChangeSignal } from "../src/store-watch.ts";

/** Longer than bun's 5 s test timeout: a wait that is not ended early fails the test. */
const FOREVER_MS = 60_000;

describe("ChangeSignal", () => {
  test("a change told before the wait ends it at once, and only that wait", async () => {
    const signal = new ChangeSignal();
    signal.notify();
    await signal.wait(FOREVER_MS);
    const next = signal.wait(10).then(() => "timed out");
    expect(await next).toBe("timed out");
  });

  test("a change ends a wait in progress", async () => {
    const signal = new ChangeSignal();
    const waiting = signal.wait(FOREVER_MS);
    signal.notify();
    await waiting;
  });

  test("close ends a wait in progress, stops the source once, and every later wait returns at once", async () => {
    let stopped = 0;
    const signal = new ChangeSignal(() => stopped++);
    const waiting = signal.wait(FOREVER_MS);
    signal.close();
    signal.close();
    await waiting;
    await signal.wait(FOREVER_MS);
    expect(stopped).toBe(1);
  });

  test("an aborted signal ends the wait, whether it aborts before or during it", async () => {
    const watch = new ChangeSignal();
    await watch.wait(FOREVER_MS, AbortSignal.abort());
    const controller = new AbortController();
    const waiting = watch.wait(FOREVER_MS, controller.signal);
    controller.abort();
    await waiting;
  });
});

describe("anyWatch", () => {
  test("a change of any of the watches ends the wait", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const both = anyWatch([a, b]);
    const waiting = both.wait(FOREVER_MS);
    b.notify();
    await waiting;
  });

  test("an aborted signal ends the wait, whether it aborts before or during it", async () => {
    const both = anyWatch([new ChangeSignal(), new ChangeSignal()]);
    await both.wait(FOREVER_MS, AbortSignal.abort());
    const controller = new AbortController();
    const waiting = both.wait(FOREVER_MS, controller.signal);
    controller.abort();
    await waiting;
  });

  test("close closes every watch", async () => {
    let stopped = 0;
    const both = anyWatch([new ChangeSignal(() => stopped++), new ChangeSignal(() => stopped++)]);
    both.close();
    expect(stopped).toBe(2);
  });
});
