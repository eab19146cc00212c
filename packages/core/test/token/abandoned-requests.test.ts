/**
 * The flight bookkeeping of the token manager when callers give up: a token request nobody
 * waits for any more is cancelled, and the next caller starts a request of its own rather than
 * joining the cancelled one; while anyone still waits (with a signal or without), the request
 * goes on and serves them.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { createTokenManager, type EnvConfig } from "../fixtures/internal-api.ts";
import { networkErrorOf } from "../fixtures/rejection.ts";
import { testConfig } from "../fixtures/test-config.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
/** Every token request takes this long, so that callers can come and go while it is in the air. */
const LATENCY_MS = 400;
let gateway: DevGateway;
let config: EnvConfig;

beforeEach(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  gateway.setFaults([{ kind: "latency", ms: LATENCY_MS, route: "/auth/session" }]);
  config = testConfig(gateway.url, CLIENT_KEY);
});
afterEach(async () => {
  await gateway.stop();
});

const tokenRequests = () => gateway.stats().requests["/auth/session"] ?? 0;

/** Resolves once the gateway has the token request (it answers after LATENCY_MS). */
async function requestArrived(count = 1): Promise<void> {
  while (tokenRequests() < count) await Bun.sleep(5);
}

describe("every caller of a token request aborted", () => {
  test("a caller arriving next sends a new token request and gets its token", async () => {
    const manager = createTokenManager({ config, store: null });
    const first = new AbortController();
    const abandoned = manager.getToken({ signal: first.signal });
    await requestArrived();
    first.abort();
    expect((await networkErrorOf(abandoned)).message).toBe("Getting a token was aborted");

    const next = await manager.getToken();
    expect(next.source).toBe("network");
    expect(tokenRequests()).toBe(2);
  });

  test("the cancelled request ending later does not drop the new one: later callers join it", async () => {
    const manager = createTokenManager({ config, store: null });
    const first = new AbortController();
    const abandoned = manager.getToken({ signal: first.signal });
    await requestArrived();
    first.abort();
    // Joined before the cancelled request has settled.
    const second = manager.getToken();
    await networkErrorOf(abandoned);
    await requestArrived(2);
    await Bun.sleep(50);
    const third = manager.getToken();
    const [a, b] = await Promise.all([second, third]);
    expect(b.accessToken).toBe(a.accessToken);
    expect(tokenRequests()).toBe(2);
  });

  test("a refresh whose callers all aborted is cancelled too: the next refresh asks again", async () => {
    const manager = createTokenManager({ config, store: null });
    gateway.setFaults([]);
    const old = await manager.getToken();
    gateway.setFaults([{ kind: "latency", ms: LATENCY_MS, route: "/auth/session" }]);
    const first = new AbortController();
    const abandoned = manager.refresh({ rejectedToken: old.accessToken, signal: first.signal });
    await requestArrived(2);
    first.abort();
    expect((await networkErrorOf(abandoned)).message).toBe("Refreshing the token was aborted");
    const next = await manager.refresh({ rejectedToken: old.accessToken });
    expect(next.source).toBe("network");
    expect(next.accessToken).not.toBe(old.accessToken);
    expect(tokenRequests()).toBe(3);
  });
});

describe("every caller of a token request aborted, while the token held is still valid", () => {
  test("the cancelled request serves no stale token and warns of nothing: the next caller asks again", async () => {
    // 900 s tokens, valid but never fresh (minTtlSec 900, to which the refresh margin only
    // adds): each call makes a token request.
    const nearlyStale = testConfig(gateway.url, CLIENT_KEY, { AUTH_MIN_TTL_SEC: "900" });
    const warnings: string[] = [];
    const manager = createTokenManager({
      config: nearlyStale,
      store: null,
      onWarning: (message) => warnings.push(message),
    });
    gateway.setFaults([]);
    const held = await manager.getToken();
    gateway.setFaults([{ kind: "latency", ms: LATENCY_MS, route: "/auth/session" }]);
    const caller = new AbortController();
    const abandoned = manager.getToken({ signal: caller.signal });
    await requestArrived(2);
    caller.abort();
    await networkErrorOf(abandoned);
    // The cancelled request fails at once with the abort; a failed refresh would warn by now.
    await Bun.sleep(50);
    expect(warnings).toEqual([]);
    gateway.setFaults([]);
    // No "stale" window was opened: this call asks the gateway.
    const next = await manager.getToken();
    expect(next.source).toBe("network");
    expect(next.accessToken).not.toBe(held.accessToken);
    expect(tokenRequests()).toBe(3);
  });
});

describe("some callers of a token request aborted", () => {
  test("the request goes on for a caller with a signal still waiting: one token request", async () => {
    const manager = createTokenManager({ config, store: null });
    const quitter = new AbortController();
    const stayer = new AbortController();
    const gone = manager.getToken({ signal: quitter.signal });
    const staying = manager.getToken({ signal: stayer.signal });
    await requestArrived();
    quitter.abort();
    await networkErrorOf(gone);
    expect((await staying).source).toBe("network");
    expect(tokenRequests()).toBe(1);
  });

  test("the request goes on for a caller without a signal, whoever aborts", async () => {
    const manager = createTokenManager({ config, store: null });
    const quitter = new AbortController();
    const patient = manager.getToken();
    const gone = manager.getToken({ signal: quitter.signal });
    await requestArrived();
    quitter.abort();
    await networkErrorOf(gone);
    expect((await patient).source).toBe("network");
    expect(tokenRequests()).toBe(1);
  });

  test("a caller without a signal joining after one with a signal keeps the request alive", async () => {
    const manager = createTokenManager({ config, store: null });
    const quitter = new AbortController();
    const gone = manager.getToken({ signal: quitter.signal });
    const patient = manager.getToken();
    await requestArrived();
    quitter.abort();
    await networkErrorOf(gone);
    expect((await patient).source).toBe("network");
    expect(tokenRequests()).toBe(1);
  });
});
