/**
 * Node's fetch (undici) keeps an abort listener on every signal it was given for as long as the
 * signal lives, so on Node each API attempt needs a signal of its own (attempt-timeout.ts). A
 * reused signal would gather one listener per request.
 */
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

test("500 API requests in a row leave at most one abort listener on any signal", async () => {
  // The runtime takes the global fetch when it loads: record the signal of each request it
  // sends, then send it for real.
  const signals = new Set<AbortSignal>();
  const realFetch = globalThis.fetch;
  globalThis.fetch = Object.assign(
    (input: string | URL | Request, init?: RequestInit) => {
      if (init?.signal) signals.add(init.signal);
      return realFetch(input, init);
    },
    { preconnect: realFetch.preconnect },
  ) as typeof fetch;
  const api = await import("@openclaw/auth-runtime-node");
  const { nodePlatform } = await import("@openclaw/auth-runtime-node/adapter");
  assert.equal(nodePlatform.fetchReleasesSignals ?? false, false);

  const server = createServer((_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  try {
    for (let i = 0; i < 500; i++) {
      const response = await api.requestApi({ url, authToken: "t0ken-for-signals" });
      assert.equal(response.body, "ok");
    }
    assert.ok(signals.size > 0, "the requests went through the recorded fetch");
    const most = Math.max(...[...signals].map((s) => getEventListeners(s, "abort").length));
    assert.ok(most <= 1, `a signal holds ${most} abort listeners`);
  } finally {
    globalThis.fetch = realFetch;
    server.closeAllConnections();
    server.close();
  }
});
