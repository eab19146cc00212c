/**
 * The waits of a store's watch (docs/locks.md, "Notifications"): a change, a close or an aborted
 * signal ends a wait; each wait below would otherwise last longer than the test may run.
 */
import { describe, expect, test } from "bun:test";
import {
  anyWatch,
  ChangeSignal,
  FLOOD_CHANGES,
  type StoreWatch,
} from "../../src/stores/store-watch.ts";

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

/**
 * Waits of `ms` on `watch` for `forMs` while `flood` tells a change every millisecond or so:
 * how many waits ended.
 */
async function waitsDuringFlood(
  watch: StoreWatch,
  flood: () => void,
  ms: number,
  forMs: number,
): Promise<number> {
  const timer = setInterval(() => {
    for (let i = 0; i < 5; i++) flood();
  }, 1);
  const started = Date.now();
  let waits = 0;
  try {
    while (Date.now() - started < forMs) {
      await watch.wait(ms);
      waits++;
    }
  } finally {
    clearInterval(timer);
  }
  return waits;
}

describe("a flood of changes (forged notifications)", () => {
  test("wakes a waiter no more often than polling would, after a burst of two, the first change at once", async () => {
    const signal = new ChangeSignal();
    signal.notify();
    const started = Date.now();
    await signal.wait(FOREVER_MS);
    expect(Date.now() - started).toBeLessThan(1_000);
    // Below the flood limit: a few changes per wait, every wait.
    let told = 0;
    const waits = await waitsDuringFlood(
      signal,
      () => {
        if (told++ % 50 === 0) signal.notify();
      },
      50,
      1_000,
    );
    expect(waits).toBeGreaterThanOrEqual(10);
    expect(waits).toBeLessThanOrEqual(24);
  });

  test("past a burst of two wakes, a change is held for a wait's length; after a quiet pause one wakes at once again", async () => {
    const signal = new ChangeSignal();
    for (let i = 0; i < 2; i++) {
      signal.notify();
      await signal.wait(FOREVER_MS);
    }
    signal.notify();
    let started = Date.now();
    await signal.wait(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await Bun.sleep(350);
    signal.notify();
    started = Date.now();
    await signal.wait(300);
    expect(Date.now() - started).toBeLessThan(150);
  });

  test(`past ${FLOOD_CHANGES} changes between wakes, the source is stopped and waits last their length`, async () => {
    let stopped = 0;
    const signal = new ChangeSignal(() => stopped++);
    for (let i = 0; i <= FLOOD_CHANGES; i++) signal.notify();
    expect(stopped).toBe(1);
    const started = Date.now();
    await signal.wait(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    signal.close();
    expect(stopped).toBe(1);
  });

  test("through anyWatch, two flooded watches together wake a waiter no more often than polling would", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    let told = 0;
    const waits = await waitsDuringFlood(
      anyWatch([a, b]),
      () => {
        if (told++ % 25 === 0) (told % 2 ? a : b).notify();
      },
      50,
      1_000,
    );
    expect(waits).toBeLessThanOrEqual(24);
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
