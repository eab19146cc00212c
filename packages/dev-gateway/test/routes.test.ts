import { describe, expect, test } from "bun:test";
import type { DevGateway } from "../src/index.ts";
import { gatewayForTest, post } from "./helpers.ts";

const OFFER = "https://detail.1688.com/offer/610947572360.html";

function scrape(gateway: DevGateway, body: unknown, token = gateway.issueToken()) {
  return post(gateway, "/ecom/tasks/scrape", body, { authorization: `Bearer ${token}` });
}

describe("POST /ecom/tasks/scrape", () => {
  test("returns deterministic product JSON for a 1688 offer URL", async () => {
    const gateway = gatewayForTest();
    const response = await scrape(gateway, { url: OFFER });
    expect(response.status).toBe(200);
    const product = (await response.json()) as Record<string, unknown>;
    expect(product).toMatchObject({ offerId: "610947572360", currency: "CNY", url: OFFER });
    expect(typeof product.title).toBe("string");
    expect(typeof product.price).toBe("number");
    expect(Number(product.price)).toBeGreaterThan(0);
    expect(Math.round(Number(product.price) * 100) / 100).toBe(Number(product.price));
    // Same id, another gateway instance: the very same product.
    const again = await (await scrape(gatewayForTest(), { url: OFFER })).json();
    expect(again).toEqual(product);
  });

  test("derives different products from different offer ids", async () => {
    const gateway = gatewayForTest();
    const ids = ["1", "2", "3", "4", "5", "6"];
    const prices = new Set<number>();
    for (const id of ids) {
      const response = await scrape(gateway, { url: `https://detail.1688.com/offer/${id}.html` });
      prices.add(((await response.json()) as { price: number }).price);
    }
    expect(prices.size).toBeGreaterThan(1);
  });

  test("accepts a query string and answers with the canonical URL", async () => {
    const gateway = gatewayForTest();
    const response = await scrape(gateway, { url: `${OFFER}?spm=a26352.13672862#top` });
    expect(await response.json()).toMatchObject({ offerId: "610947572360", url: OFFER });
  });

  test.each([
    ["another host", "https://example.com/offer/123.html"],
    ["http instead of https", "http://detail.1688.com/offer/123.html"],
    ["a non-numeric id", "https://detail.1688.com/offer/abc.html"],
    ["another path", "https://detail.1688.com/item/123.html"],
    ["not a URL", "detail.1688.com/offer/123.html"],
  ])("answers 422 invalid_url for %s", async (_, url) => {
    const gateway = gatewayForTest();
    const response = await scrape(gateway, { url });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_url");
    expect(typeof body.message).toBe("string");
  });

  test.each([
    ["not JSON", "url=x"],
    ["no url", "{}"],
    ["a numeric url", '{"url": 5}'],
  ])("answers 400 invalid_request for a body with %s", async (_, body) => {
    const gateway = gatewayForTest();
    const response = await scrape(gateway, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  test("needs a token", async () => {
    const gateway = gatewayForTest();
    const response = await post(gateway, "/ecom/tasks/scrape", { url: OFFER });
    expect(response.status).toBe(401);
  });
});

describe("/echo", () => {
  test("reflects method, path, query, lower-cased headers and the raw body", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo/a/b?x=1&y=2&y=3`, {
      method: "PUT",
      headers: {
        Authorization: `Bearer ${gateway.issueToken()}`,
        "X-Trace-Id": "abc",
        "Content-Type": "text/plain",
      },
      body: "raw body, not JSON",
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Record<string, unknown>;
    expect(echo).toMatchObject({
      method: "PUT",
      path: "/echo/a/b",
      query: { x: "1", y: ["2", "3"] },
      body: "raw body, not JSON",
    });
    const headers = echo.headers as Record<string, string>;
    expect(headers["x-trace-id"]).toBe("abc");
    expect(headers["content-type"]).toBe("text/plain");
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  test("redacts the token from the echoed Authorization header", async () => {
    const gateway = gatewayForTest();
    const token = gateway.issueToken();
    const response = await fetch(`${gateway.url}/echo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    expect(text).not.toContain(token);
    expect(JSON.parse(text).headers.authorization).toBe("Bearer [redacted]");
  });

  test("answers a GET with an empty body and an empty query", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo`, {
      headers: { authorization: `Bearer ${gateway.issueToken()}` },
    });
    expect(await response.json()).toMatchObject({ method: "GET", query: {}, body: "" });
  });

  test("never echoes a configured client key, but marks where it leaked", async () => {
    const gateway = gatewayForTest({ clientKeys: ["leaky-key-123"] });
    const response = await fetch(`${gateway.url}/echo?k=leaky-key-123`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.issueToken()}`, "x-key": "leaky-key-123" },
      body: JSON.stringify({ clientKey: "leaky-key-123" }),
    });
    const text = await response.text();
    expect(text).not.toContain("leaky-key-123");
    expect(text).toContain("[client key redacted]");
  });

  test("keeps a __proto__ query name as a plain key", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo?__proto__=x`, {
      headers: { authorization: `Bearer ${gateway.issueToken()}` },
    });
    const echo = (await response.json()) as { query: Record<string, unknown> };
    expect(Object.hasOwn(echo.query, "__proto__")).toBe(true);
  });
});

describe("GET /health and unknown paths", () => {
  test("health answers {ok:true} without a token", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  test("an unknown path answers 404 JSON", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ error: "not_found" });
  });

  test("url is http://127.0.0.1:<port> without a trailing slash", () => {
    const gateway = gatewayForTest();
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect(gateway.port).toBeGreaterThan(0);
  });

  test("stop() closes the port", async () => {
    const gateway = gatewayForTest();
    await gateway.stop();
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
  });

  test.each([
    ["a negative port", { port: -1 }],
    ["a zero ttl", { ttlSec: 0 }],
    ["no client keys", { clientKeys: [] }],
    ["an empty client key", { clientKeys: [""] }],
    ["a relative session path", { sessionPath: "auth/session" }],
  ])("startDevGateway throws TypeError for %s", (_, options) => {
    expect(() => gatewayForTest(options)).toThrow(TypeError);
  });

  test("a TypeError about a bad key never contains the keys", () => {
    expect(() => gatewayForTest({ clientKeys: ["secret-1", ""] })).toThrow(
      /^options\.clientKeys\[1\] must be a non-empty string$/,
    );
  });
});
