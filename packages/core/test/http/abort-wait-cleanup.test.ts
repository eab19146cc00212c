/**
 * The abortable waits of http/abort.ts leave a caller's signal as they found it: a long-lived
 * signal (a server's shutdown signal, passed to every call) collects no listeners, and its
 * abort, once a wait is over, undoes nothing that wait did.
 */
import { describe, expect, test } from "bun:test";
import { getEventListeners } from "node:events";
import { sleep, untilAborted } from "../../src/http/abort.ts";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

describe("a wait that is over leaves the signal alone", () => {
  test("after a wait settles, an abort of its signal calls none of its abort work", async () => {
    const controller = new AbortController();
    let undone = 0;
    const onAbort = () => undone++;
    await untilAborted(Promise.resolve("token"), controller.signal, () => "aborted", onAbort);
    const failed = untilAborted(
      Promise.reject(new Error("refused")),
      controller.signal,
      () => "aborted",
      onAbort,
    );
    expect(await failed.catch((e: unknown) => (e as Error).message)).toBe("refused");
    expect(listeners(controller.signal)).toBe(0);
    controller.abort();
    expect(undone).toBe(0);
  });

  test("a wait with no abort work ends on abort with the reason, and nothing is thrown", async () => {
    const controller = new AbortController();
    const reason = new Error("caller left");
    const wait = untilAborted(new Promise(() => {}), controller.signal, () => reason);
    // A listener that throws is reported as an uncaught error, which fails this test.
    controller.abort();
    expect(await wait.catch((e: unknown) => e)).toBe(reason);
  });

  test("many sleeps on one signal leave no listener behind", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(0, controller.signal);
    expect(listeners(controller.signal)).toBe(0);
  });
});
