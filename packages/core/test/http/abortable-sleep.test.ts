/** The plain abortable wait of http/abort.ts (the stores' pauses) and the retry wait built on it. */
import { describe, expect, test } from "bun:test";
import { AuthNetworkError } from "../../src/errors/errors.ts";
import { sleep } from "../../src/http/abort.ts";
import { sleep as retryWait } from "../../src/http/retry.ts";

describe("abortable sleep", () => {
  test("waits about as long as asked when nothing aborts", async () => {
    const started = performance.now();
    await sleep(40);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  test("an abort ends the wait at once with the signal's reason, or the caller's", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    setTimeout(() => controller.abort(reason), 20);
    const started = performance.now();
    expect(await sleep(5_000, controller.signal).catch((e: unknown) => e)).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    const mine = new Error("mine");
    expect(await sleep(5_000, controller.signal, () => mine).catch((e: unknown) => e)).toBe(mine);
  });

  test("the retry wait says which request was waiting when it is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    const error = await retryWait(
      5_000,
      controller.signal,
      "POST https://gw.example/session",
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect((error as AuthNetworkError).message).toBe("Waiting was aborted");
    expect((error as AuthNetworkError).reason).toBe("aborted");
    expect((error as AuthNetworkError).request).toBe("POST https://gw.example/session");
  });
});
