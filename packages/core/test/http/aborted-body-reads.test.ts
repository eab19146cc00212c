/**
 * The attempt's signal ends a body read (http/bounded-body.ts): at once, with the signal's
 * reason, closing the connection, and leaving nothing attached to the signal.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { getEventListeners } from "node:events";
import { readTextWithin } from "../../src/http/bounded-body.ts";
import { chunkedServer, within } from "./chunked-server.ts";

const server = await chunkedServer((path) => {
  if (path.startsWith("/stall")) return { parts: ["{"], stall: true };
  return { parts: ["a", "b", "c", "d", "e"] };
});
afterAll(() => server.stop());

describe("the attempt's signal ends a body read", () => {
  test("an abort mid-body rejects with its reason and closes the connection", async () => {
    // The fetch is not given the signal: only the read can act on it (as on Node 20, whose fetch
    // leaves a stalled read pending whatever signal it was given).
    const response = await fetch(`${server.url}/stall-mid`);
    const controller = new AbortController();
    const reason = new Error("the attempt timed out");
    setTimeout(() => controller.abort(reason), 30);
    const read = readTextWithin(response, 1024, controller.signal).catch((e: unknown) => e);
    expect(await within(read, 2_000)).toBe(reason);
    expect(await within(server.closed("/stall-mid"), 2_000)).toBeUndefined();
  });

  test("a signal aborted before the read ends it at once, without waiting for the server", async () => {
    const response = await fetch(`${server.url}/stall-before`);
    const reason = new Error("gone before the body");
    const read = readTextWithin(response, 1024, AbortSignal.abort(reason)).catch((e: unknown) => e);
    expect(await within(read, 2_000)).toBe(reason);
    expect(await within(server.closed("/stall-before"), 2_000)).toBeUndefined();
  });

  test("a body read in many chunks leaves no listener on the signal", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/chunks`);
    expect(await readTextWithin(response, 1024, controller.signal)).toBe("abcde");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
