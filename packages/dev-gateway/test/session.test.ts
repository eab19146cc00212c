import { describe, expect, test } from "bun:test";
import { DEFAULT_DEV_CLIENT_KEY } from "../src/index.ts";
import { claimsOf, echoWith, gatewayForTest, post, requestSession } from "./helpers.ts";

describe("POST /auth/session", () => {
  test("issues a Bearer JWT with expiresIn for the default dev client key", async () => {
    const gateway = gatewayForTest();
    const response = await requestSession(gateway, DEFAULT_DEV_CLIENT_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["accessToken", "expiresIn", "tokenType"]);
    expect(body.tokenType).toBe("Bearer");
    expect(body.expiresIn).toBe(900);
    expect(String(body.accessToken).split(".")).toHaveLength(3);
    expect((await echoWith(gateway, String(body.accessToken))).status).toBe(200);
  });

  test("token carries exp, iat, a unique jti and a hashed sub, never the client key", async () => {
    const clientKey = "ck-very-secret-123";
    const gateway = gatewayForTest({ clientKeys: [clientKey], ttlSec: 120 });
    const tokens = await Promise.all([1, 2].map(() => requestSession(gateway, clientKey)));
    const [first, second] = await Promise.all(
      tokens.map(async (r) => ((await r.json()) as { accessToken: string }).accessToken),
    );
    const a = claimsOf(first ?? "");
    const b = claimsOf(second ?? "");
    expect(typeof a.iat).toBe("number");
    expect(Number(a.exp) - Number(a.iat)).toBeCloseTo(120, 3);
    expect(Math.abs(Number(a.iat) - Date.now() / 1000)).toBeLessThan(60);
    expect(typeof a.jti).toBe("string");
    expect(a.jti).not.toBe(b.jti);
    expect(a.sub).toMatch(/^[0-9a-f]{16}$/);
    expect(a.sub).toBe(b.sub);
    const header = JSON.parse(
      Buffer.from(String(first).split(".")[0] ?? "", "base64url").toString(),
    );
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(first).not.toContain(clientKey);
    expect(JSON.stringify(a)).not.toContain(clientKey);
  });

  test("answers 401 invalid_client for an unknown key without echoing it", async () => {
    const gateway = gatewayForTest();
    const response = await requestSession(gateway, "not-a-known-key");
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "invalid_client" });
    expect(text).not.toContain("not-a-known-key");
  });

  test.each([
    ["not JSON", "{clientKey:"],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["a JSON string", '"dev-client-key"'],
    ["no clientKey", "{}"],
    ["a numeric clientKey", '{"clientKey": 42}'],
    ["client_key instead of clientKey", '{"client_key": "dev-client-key"}'],
  ])("answers 400 invalid_request for %s", async (_, body) => {
    const gateway = gatewayForTest();
    const response = await post(gateway, "/auth/session", body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_request" });
  });

  test("answers 405 with Allow for a GET", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/auth/session`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("accepts every configured key and serves the configured session path", async () => {
    const gateway = gatewayForTest({ clientKeys: ["key-a", "key-b"], sessionPath: "/v2/token" });
    expect((await post(gateway, "/v2/token", { clientKey: "key-a" })).status).toBe(200);
    expect((await post(gateway, "/v2/token", { clientKey: "key-b" })).status).toBe(200);
    expect((await post(gateway, "/v2/token", { clientKey: DEFAULT_DEV_CLIENT_KEY })).status).toBe(
      401,
    );
    expect((await post(gateway, "/auth/session", { clientKey: "key-a" })).status).toBe(404);
    expect(gateway.stats().tokensIssued).toBe(2);
  });

  test("reports the configured ttl as expiresIn", async () => {
    const gateway = gatewayForTest({ ttlSec: 42 });
    const body = (await (await requestSession(gateway)).json()) as { expiresIn: number };
    expect(body.expiresIn).toBe(42);
  });
});
