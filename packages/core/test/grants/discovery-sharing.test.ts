/**
 * One issuer's discovery is shared by every token request that needs it, and cancelled only when
 * every one of them has gone: a scripted issuer on 127.0.0.1 that holds its answer and sees when
 * the request is dropped.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { discoverTokenEndpoint, forgetDiscoveredEndpoints } from "../../src/grants/discovery.ts";

let server: Server;
let issuer = "";
let held: ServerResponse[] = [];
let asked = 0;
/** Metadata requests dropped by the client before they were answered. */
let dropped = 0;

beforeEach(async () => {
  held = [];
  asked = 0;
  dropped = 0;
  server = createServer((_req, res) => {
    asked++;
    res.on("close", () => {
      if (!res.writableEnded) dropped++;
    });
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  forgetDiscoveredEndpoints();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = (signal: AbortSignal) => ({ fetch, signal, timeoutMs: 5_000 });
const until = async (ready: () => boolean) => {
  for (let i = 0; i < 300 && !ready(); i++) await Bun.sleep(10);
};

test("one caller's abort releases it alone; the discovery is dropped once every caller has gone, and the next asks anew", async () => {
  const first = new AbortController();
  const other = new AbortController();
  const firstCall = discoverTokenEndpoint(issuer, context(first.signal)).catch((e: Error) => e);
  await until(() => asked === 1);
  const otherCall = discoverTokenEndpoint(issuer, context(other.signal)).catch((e: Error) => e);
  first.abort();
  expect(((await firstCall) as { reason?: string }).reason).toBe("aborted");
  await Bun.sleep(100);
  expect(dropped).toBe(0);
  other.abort();
  expect(((await otherCall) as { reason?: string }).reason).toBe("aborted");
  await until(() => dropped === 1);
  expect(dropped).toBe(1);
  const next = discoverTokenEndpoint(issuer, context(new AbortController().signal));
  await until(() => asked === 2);
  held[1]?.setHeader("content-type", "application/json");
  held[1]?.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
  expect(await next).toBe(`${issuer}/token`);
});

test("a caller that stays gets the endpoint of the discovery it shared, asked once", async () => {
  const first = new AbortController();
  const firstCall = discoverTokenEndpoint(issuer, context(first.signal)).catch((e: Error) => e);
  await until(() => asked === 1);
  const other = discoverTokenEndpoint(issuer, context(new AbortController().signal));
  first.abort();
  await firstCall;
  await Bun.sleep(50);
  held[0]?.setHeader("content-type", "application/json");
  held[0]?.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
  expect(await other).toBe(`${issuer}/token`);
  expect(asked).toBe(1);
});
