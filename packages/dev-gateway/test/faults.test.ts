import { describe, expect, test } from "bun:test";
import type { Fault } from "../src/index.ts";
import { echoWith, gatewayForTest, requestSession, sessionToken } from "./helpers.ts";

/** Resolves with the response, or with the rejection if fetch threw. */
function settle(request: Promise<Response>): Promise<Response | Error> {
  return request.catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
}

async function health(url: string): Promise<number> {
  return (await fetch(`${url}/health`)).status;
}

describe("status fault", () => {
  test("answers with the status and a JSON error body", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 503 }]);
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ error: "service_unavailable" });
  });

  test("applies before the token check, so a session request gets it and mints nothing", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, route: "/auth/session" }]);
    expect((await requestSession(gateway)).status).toBe(500);
    expect(gateway.stats().tokensIssued).toBe(0);
  });
});

describe("rate-limit fault", () => {
  test("answers 429 with a Retry-After header", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "rate-limit", retryAfterSec: 7 }]);
    const response = await requestSession(gateway);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({ error: "rate_limited" });
  });
});

describe("token-expired-body fault", () => {
  test('answers HTTP 200 {"code":401,"msg":"token expired"} even with a valid token', async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "token-expired-body", route: "/echo" }]);
    const response = await echoWith(gateway, gateway.issueToken());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ code: 401, msg: "token expired" });
  });
});

describe("drop fault", () => {
  test("makes fetch reject with a network error instead of answering", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
    const outcome = await settle(requestSession(gateway));
    expect(outcome).toBeInstanceOf(Error);
    // The server is still fine for the next request.
    expect(await health(gateway.url)).toBe(200);
  });

  test("drops POST and GET alike, many at once", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "drop" }]);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        settle(i % 2 === 0 ? requestSession(gateway) : fetch(`${gateway.url}/health`)),
      ),
    );
    expect(outcomes.every((o) => o instanceof Error)).toBe(true);
    expect(gateway.stats().faultsInjected).toBe(20);
  });
});

describe("latency fault", () => {
  test("delays the response, then handles the request normally", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const started = performance.now();
    const response = await requestSession(gateway);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(response.status).toBe(200);
    expect(gateway.stats().tokensIssued).toBe(1);
  });

  test("does not hold up other requests while one is delayed", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "latency", ms: 3_000, route: "/auth/session" }]);
    let slowDone = false;
    const slow = requestSession(gateway).then((r) => {
      slowDone = true;
      return r;
    });
    await Bun.sleep(50);
    for (let i = 0; i < 5; i++) expect(await health(gateway.url)).toBe(200);
    expect(slowDone).toBe(false);
    expect((await slow).status).toBe(200);
  });

  test("storm: concurrent delayed session requests each get a token", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
    const responses = await Promise.all(Array.from({ length: 20 }, () => requestSession(gateway)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(gateway.stats().tokensIssued).toBe(20);
  });

  test("adds up with other latency faults and comes before a status fault", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([
      { kind: "latency", ms: 150 },
      { kind: "latency", ms: 150 },
      { kind: "status", status: 502 },
    ]);
    const started = performance.now();
    expect(await health(gateway.url)).toBe(502);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(gateway.stats().faultsInjected).toBe(3);
  });
});

describe("fault selection", () => {
  test("count applies to the next N matching requests, then is used up", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, count: 2 }]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await health(gateway.url));
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(gateway.stats().faultsInjected).toBe(2);
  });

  test("count only counts matching requests", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session", count: 1 }]);
    expect(await health(gateway.url)).toBe(200);
    expect((await requestSession(gateway)).status).toBe(503);
    expect((await requestSession(gateway)).status).toBe(200);
  });

  test("a fault without count or rate applies until cleared with setFaults([])", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500 }]);
    for (let i = 0; i < 3; i++) expect(await health(gateway.url)).toBe(500);
    gateway.setFaults([]);
    expect(await health(gateway.url)).toBe(200);
  });

  test("rate 0 never applies and rate 1 always does", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, rate: 0 }]);
    for (let i = 0; i < 10; i++) expect(await health(gateway.url)).toBe(200);
    gateway.setFaults([{ kind: "status", status: 500, rate: 1 }]);
    for (let i = 0; i < 10; i++) expect(await health(gateway.url)).toBe(500);
  });

  test("rate 0.5 applies to roughly half of the requests", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, rate: 0.5 }]);
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await health(gateway.url)) === 500) failed++;
    // Binomial(200, 0.5): outside 50..150 has a probability far below 1e-12.
    expect(failed).toBeGreaterThan(50);
    expect(failed).toBeLessThan(150);
    expect(gateway.stats().faultsInjected).toBe(failed);
  });

  test("rate with count applies at most count times", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, rate: 1, count: 3 }]);
    let failed = 0;
    for (let i = 0; i < 8; i++) if ((await health(gateway.url)) === 500) failed++;
    expect(failed).toBe(3);
  });

  test("a route-scoped fault leaves other paths alone", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 502, route: "/ecom/tasks/scrape" }]);
    const token = await sessionToken(gateway);
    expect((await echoWith(gateway, token)).status).toBe(200);
    const scrape = await fetch(`${gateway.url}/ecom/tasks/scrape`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ url: "https://detail.1688.com/offer/1.html" }),
    });
    expect(scrape.status).toBe(502);
  });

  test("route matches the exact path only", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500, route: "/echo" }]);
    const token = gateway.issueToken();
    expect((await echoWith(gateway, token)).status).toBe(500);
    const sub = await fetch(`${gateway.url}/echo/sub`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sub.status).toBe(200);
  });

  test("the first non-latency fault that applies answers; later ones are not consulted", async () => {
    const gateway = gatewayForTest();
    gateway.setFaults([
      { kind: "status", status: 503, count: 1 },
      { kind: "status", status: 500, count: 1 },
    ]);
    expect(await health(gateway.url)).toBe(503);
    expect(await health(gateway.url)).toBe(500);
    expect(await health(gateway.url)).toBe(200);
  });

  test("setFaults copies its input: mutating the array later changes nothing", async () => {
    const gateway = gatewayForTest();
    const faults: Fault[] = [{ kind: "status", status: 500, count: 1 }];
    gateway.setFaults(faults);
    faults.push({ kind: "status", status: 503 });
    expect(await health(gateway.url)).toBe(500);
    expect(await health(gateway.url)).toBe(200);
  });

  test.each([
    ["an unknown kind", { kind: "explode" }],
    ["a negative latency", { kind: "latency", ms: -1 }],
    ["a 2xx status", { kind: "status", status: 200 }],
    ["a non-integer status", { kind: "status", status: 500.5 }],
    ["a negative Retry-After", { kind: "rate-limit", retryAfterSec: -1 }],
    ["a rate above 1", { kind: "drop", rate: 1.5 }],
    ["a fractional count", { kind: "drop", count: 1.5 }],
    ["a route without a leading slash", { kind: "drop", route: "auth/session" }],
  ])("setFaults throws TypeError for %s and keeps the previous list", async (_, bad) => {
    const gateway = gatewayForTest();
    gateway.setFaults([{ kind: "status", status: 500 }]);
    expect(() => gateway.setFaults([{ kind: "drop", count: 1 }, bad as Fault])).toThrow(TypeError);
    expect(await health(gateway.url)).toBe(500);
  });
});
