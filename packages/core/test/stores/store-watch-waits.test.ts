/**
 * How long a watched wait lasts (docs/locks.md, "Notifications"): a change ends it at once while
 * the burst of two lasts, later a change is held only for what is left of the wait's pace; a
 * plain timeout costs no wake; a close or an abort ends a wait at once, held change or not; a
 * wait never ends on a change that was already used. Waits of ChangeSignal and of anyWatch.
 */
import { describe, expect, test } from "bun:test";
import { anyWatch, ChangeSignal, FLOOD_CHANGES } from "../../src/stores/store-watch.ts";

/** Longer than bun's 5 s test timeout: a wait that is not ended early fails the test. */
const FOREVER_MS = 60_000;

/** How long `wait()` took, in ms. */
async function timed(wait: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await wait();
  return Date.now() - started;
}

/** Spends the burst of two: two changes, each ending a wait at once. */
async function spendBurst(
  signal: ChangeSignal,
  watch = signal as { wait(ms: number): Promise<void> },
) {
  for (let i = 0; i < 2; i++) {
    signal.notify();
    await watch.wait(FOREVER_MS);
  }
}

describe("ChangeSignal waits", () => {
  test("a wait that ended on a change leaves nothing behind: the next one lasts its length", async () => {
    const signal = new ChangeSignal();
    signal.notify();
    await signal.wait(FOREVER_MS);
    expect(await timed(() => signal.wait(200))).toBeGreaterThanOrEqual(190);
  });

  test("a wait aborted before it began leaves no change behind", async () => {
    const signal = new ChangeSignal();
    await signal.wait(FOREVER_MS, AbortSignal.abort());
    expect(await timed(() => signal.wait(200))).toBeGreaterThanOrEqual(190);
  });

  test("a signal of an earlier wait, aborted later, does not stop a change from ending the current wait", async () => {
    const signal = new ChangeSignal();
    const earlier = new AbortController();
    const first = signal.wait(FOREVER_MS, earlier.signal);
    signal.notify();
    await first;
    const current = signal.wait(FOREVER_MS);
    earlier.abort();
    signal.notify();
    await current;
  });

  test("a wait that times out costs no wake: the burst of two is whole after it", async () => {
    const signal = new ChangeSignal();
    await signal.wait(100);
    await signal.wait(100);
    for (let i = 0; i < 2; i++) {
      signal.notify();
      expect(await timed(() => signal.wait(FOREVER_MS))).toBeLessThan(1_000);
    }
  });

  test("past the burst, a change is held only for what the wait's pace has left, not its whole length", async () => {
    const signal = new ChangeSignal();
    await spendBurst(signal);
    // Half a wait's length of quiet earns half a wake back: the change is held half as long.
    await Bun.sleep(600);
    signal.notify();
    const took = await timed(() => signal.wait(1_200));
    expect(took).toBeLessThan(1_000);
  });

  test("past the burst, changes during every wait are held to its end, each charged as a wake", async () => {
    const signal = new ChangeSignal();
    await spendBurst(signal);
    // Held for about the whole 600 ms each; room for a loaded machine's delays, which earn credit.
    for (let i = 0; i < 3; i++) {
      signal.notify();
      expect(await timed(() => signal.wait(600))).toBeGreaterThanOrEqual(300);
    }
  });

  test("close ends a wait at once even when changes would be held", async () => {
    const signal = new ChangeSignal();
    await spendBurst(signal);
    const waiting = signal.wait(FOREVER_MS);
    signal.close();
    await waiting;
  });

  test("the source is stopped once: changes after a flood or after close stop it no more", async () => {
    let stopped = 0;
    const flooded = new ChangeSignal(() => stopped++);
    for (let i = 0; i < 3 * FLOOD_CHANGES; i++) flooded.notify();
    expect(stopped).toBe(1);
    let closedStops = 0;
    const closed = new ChangeSignal(() => closedStops++);
    closed.close();
    for (let i = 0; i < 3 * FLOOD_CHANGES; i++) closed.notify();
    expect(closedStops).toBe(1);
  });

  test(`exactly ${FLOOD_CHANGES} changes between wakes are no flood: the source keeps going`, async () => {
    let stopped = 0;
    const signal = new ChangeSignal(() => stopped++);
    for (let i = 0; i < FLOOD_CHANGES; i++) signal.notify();
    expect(stopped).toBe(0);
    await signal.wait(FOREVER_MS);
  });
});

describe("anyWatch waits", () => {
  test("with no change, a wait lasts its length", async () => {
    const both = anyWatch([new ChangeSignal(), new ChangeSignal()]);
    expect(await timed(() => both.wait(200))).toBeGreaterThanOrEqual(190);
  });

  test("a wait that times out costs no wake: the burst of two is whole after it", async () => {
    const a = new ChangeSignal();
    const both = anyWatch([a, new ChangeSignal()]);
    await both.wait(100);
    await both.wait(100);
    for (let i = 0; i < 2; i++) {
      a.notify();
      expect(await timed(() => both.wait(FOREVER_MS))).toBeLessThan(1_000);
    }
  });

  test("past the burst, a change of another watch is held by anyWatch only for what its pace has left", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const both = anyWatch([a, b]);
    await spendBurst(a, both);
    await Bun.sleep(600);
    // b's own burst is whole: b ends its wait at once, and anyWatch holds the change.
    b.notify();
    const took = await timed(() => both.wait(1_200));
    expect(took).toBeLessThan(1_000);
  });

  test("after close, every wait returns at once, whatever the pace", async () => {
    const a = new ChangeSignal();
    const both = anyWatch([a, new ChangeSignal()]);
    await spendBurst(a, both);
    both.close();
    await both.wait(FOREVER_MS);
    await both.wait(FOREVER_MS);
  });

  test("an abort during a hold costs no wake: the next change is held only for what the pace has left", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const both = anyWatch([a, b]);
    await spendBurst(a, both);
    // b ends its own wait at once; anyWatch holds the change, and the caller gives up midway.
    const controller = new AbortController();
    b.notify();
    const aborted = both.wait(1_000, controller.signal);
    await Bun.sleep(500);
    controller.abort();
    await aborted;
    // Half a wait's length has passed since the hold began: half a wake is earned back.
    b.notify();
    expect(await timed(() => both.wait(1_000))).toBeLessThan(850);
  });

  test("an abort or a close ends a wait at once, while a change is held", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const both = anyWatch([a, b]);
    await spendBurst(a, both);
    // Held by a itself (its burst spent), then by anyWatch (b's burst whole).
    for (const held of [a, b, b]) {
      const controller = new AbortController();
      held.notify();
      const aborted = both.wait(FOREVER_MS, controller.signal);
      await Bun.sleep(50);
      controller.abort();
      await aborted;
    }
    b.notify();
    const closed = both.wait(FOREVER_MS);
    await Bun.sleep(50);
    both.close();
    await closed;
  });
});
