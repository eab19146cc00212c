/**
 * Who joins whose discovery: callers on one store (one cache dir) share one, callers on other
 * stores never read or write through another's; an aborted caller starts nothing and is told so;
 * the last caller leaving and the next arriving never hand the next an abandoned discovery. An
 * issuer on 127.0.0.1 that holds its answers until the test releases them.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { discoverTokenEndpoint, forgetDiscoveredEndpoints } from "../../src/grants/discovery.ts";
import type { DiscoveryStore } from "../../src/grants/grant.ts";
import { AuthNetworkError } from "../fixtures/internal-api.ts";

let server: Server;
let issuer = "";
/** Metadata requests not answered yet, in arrival order. */
let held: ServerResponse[] = [];
let asked = 0;
let dropped = 0;
/** Answer at once (true) or hold until `answer` (false). */
let holding = false;

beforeEach(async () => {
  held = [];
  asked = 0;
  dropped = 0;
  holding = false;
  server = createServer((_req, res) => {
    asked++;
    res.on("close", () => {
      if (!res.writableEnded) dropped++;
    });
    if (holding) held.push(res);
    else answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  forgetDiscoveredEndpoints();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function answer(res: ServerResponse | undefined) {
  res?.writeHead(200, { "content-type": "application/json" });
  res?.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
}

const until = async (ready: () => boolean) => {
  for (let i = 0; i < 500 && !ready(); i++) await Bun.sleep(5);
  expect(ready()).toBe(true);
};

/** A store that keeps nothing and records what it was asked. */
function recordingStore(id?: string) {
  const store = {
    reads: 0,
    writes: [] as string[],
    async get() {
      store.reads++;
      return undefined;
    },
    async set(_issuer: string, text: string) {
      store.writes.push(text);
    },
    ...(id === undefined ? {} : { id }),
  };
  return store satisfies DiscoveryStore;
}

const context = (signal: AbortSignal, discoveryStore?: DiscoveryStore) => ({
  fetch,
  signal,
  timeoutMs: 5_000,
  ...(discoveryStore ? { discoveryStore } : {}),
});
const live = () => new AbortController().signal;

describe("callers share a discovery only on the same store", () => {
  test("two stores with one id (one cache dir) share one discovery", async () => {
    const first = recordingStore("/cache/a");
    const second = recordingStore("/cache/a");
    const both = await Promise.all([
      discoverTokenEndpoint(issuer, context(live(), first)),
      discoverTokenEndpoint(issuer, context(live(), second)),
    ]);
    expect(both).toEqual([`${issuer}/token`, `${issuer}/token`]);
    expect(asked).toBe(1);
    expect(first.writes.length + second.writes.length).toBe(1);
  });

  test("two stores with other ids each get a discovery of their own, and each its own write", async () => {
    const first = recordingStore("/cache/a");
    const second = recordingStore("/cache/b");
    await Promise.all([
      discoverTokenEndpoint(issuer, context(live(), first)),
      discoverTokenEndpoint(issuer, context(live(), second)),
    ]);
    expect(asked).toBe(2);
    expect(first.writes).toHaveLength(1);
    expect(second.writes).toHaveLength(1);
  });

  test("stores without an id are told apart by the object: each its own discovery, none joining a caller without a store", async () => {
    const first = recordingStore();
    const second = recordingStore();
    await Promise.all([
      discoverTokenEndpoint(issuer, context(live())),
      discoverTokenEndpoint(issuer, context(live(), first)),
      discoverTokenEndpoint(issuer, context(live(), second)),
      discoverTokenEndpoint(issuer, context(live(), first)),
    ]);
    expect(asked).toBe(3);
    expect(first.reads).toBe(1);
    expect(first.writes).toHaveLength(1);
    expect(second.reads).toBe(1);
    expect(second.writes).toHaveLength(1);
  });
});

describe("an aborted caller", () => {
  test("aborted before it asks: nothing starts (no store read, no request), and the error names the OAuth discovery of the issuer", async () => {
    const store = recordingStore("/cache/a");
    const controller = new AbortController();
    controller.abort();
    const error = (await discoverTokenEndpoint(issuer, context(controller.signal, store)).catch(
      (e: unknown) => e,
    )) as AuthNetworkError;
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect(error.message).toBe("OAuth discovery was aborted");
    expect(error.reason).toBe("aborted");
    expect(error.request).toBe(`GET ${issuer}`);
    expect(store.reads).toBe(0);
    expect(asked).toBe(0);
  });

  test("aborted while the issuer holds its answer: released at once, told it was the OAuth discovery", async () => {
    holding = true;
    const controller = new AbortController();
    const call = discoverTokenEndpoint(issuer, context(controller.signal)).catch((e: unknown) => e);
    await until(() => asked === 1);
    controller.abort();
    const error = (await call) as AuthNetworkError;
    expect(error.message).toBe("OAuth discovery was aborted");
    expect(error.request).toBe(`GET ${issuer}`);
  });

  test("the last caller leaving and a new one arriving at once: the new one gets a discovery of its own, which a third joins", async () => {
    holding = true;
    const leaving = new AbortController();
    const left = discoverTokenEndpoint(issuer, context(leaving.signal)).catch((e: unknown) => e);
    await until(() => asked === 1);
    leaving.abort();
    // In the same tick: the abandoned discovery is still failing.
    const next = discoverTokenEndpoint(issuer, context(live()));
    expect(((await left) as AuthNetworkError).reason).toBe("aborted");
    await until(() => asked === 2 && dropped === 1);
    // The abandoned one has failed by now; the third caller must join the next one's (a
    // discovery of its own would be answered at once, and counted).
    holding = false;
    const third = discoverTokenEndpoint(issuer, context(live()));
    answer(held[1]);
    expect(await next).toBe(`${issuer}/token`);
    expect(await third).toBe(`${issuer}/token`);
    expect(asked).toBe(2);
  });
});
