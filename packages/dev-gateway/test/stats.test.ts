import { describe, expect, test } from "bun:test";
import { echoWith, gatewayForTest, requestSession } from "./helpers.ts";

describe("stats", () => {
  test("start at zero", () => {
    const gateway = gatewayForTest();
    expect(gateway.stats()).toEqual({
      tokensIssued: 0,
      requests: {},
      authFailures: 0,
      faultsInjected: 0,
    });
  });

  test("count requests by path, tokens issued, auth failures and faults", async () => {
    const gateway = gatewayForTest();
    await requestSession(gateway);
    await requestSession(gateway);
    await requestSession(gateway, "unknown-key");
    await echoWith(gateway, "bad");
    await fetch(`${gateway.url}/health`);
    gateway.setFaults([{ kind: "status", status: 503, route: "/health", count: 1 }]);
    await fetch(`${gateway.url}/health`);
    await fetch(`${gateway.url}/nowhere`);
    expect(gateway.stats()).toEqual({
      tokensIssued: 2,
      requests: { "/auth/session": 3, "/echo": 1, "/health": 2, "/nowhere": 1 },
      authFailures: 1,
      faultsInjected: 1,
    });
  });

  test("issueToken counts nothing", () => {
    const gateway = gatewayForTest();
    gateway.issueToken();
    expect(gateway.stats().tokensIssued).toBe(0);
  });

  test("a faulted session request counts as a request but not as a token", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "drop", route: "/auth/session", count: 1 }]);
    await requestSession(gateway).catch(() => undefined);
    expect(gateway.stats()).toMatchObject({
      tokensIssued: 0,
      requests: { "/auth/session": 1 },
      faultsInjected: 1,
    });
  });

  test("stats() returns a snapshot that later requests do not change", async () => {
    const gateway = gatewayForTest();
    const before = gateway.stats();
    await requestSession(gateway);
    expect(before.tokensIssued).toBe(0);
    expect(before.requests).toEqual({});
    before.requests["/x"] = 99;
    expect(gateway.stats().requests["/x"]).toBeUndefined();
  });

  test("resetStats zeroes every counter and counting goes on", async () => {
    const gateway = gatewayForTest();
    await requestSession(gateway);
    await echoWith(gateway, "bad");
    gateway.resetStats();
    expect(gateway.stats()).toEqual({
      tokensIssued: 0,
      requests: {},
      authFailures: 0,
      faultsInjected: 0,
    });
    await requestSession(gateway);
    expect(gateway.stats().requests).toEqual({ "/auth/session": 1 });
  });
});
