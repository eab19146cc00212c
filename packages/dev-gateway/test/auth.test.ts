import { describe, expect, test } from "bun:test";
import { echoWith, gatewayForTest, sessionToken } from "./helpers.ts";

const INVALID = { error: "unauthorized", message: "invalid token" };
const EXPIRED = { error: "unauthorized", message: "token expired" };
const REVOKED = { error: "forbidden", message: "token revoked" };

/** Replaces the last character of the signature with another valid base64url character. */
function tamperLastChar(token: string): string {
  const last = token.at(-1);
  // "A" and "B" differ only in bits that a lenient decoder would ignore: the hardest case.
  return token.slice(0, -1) + (last === "A" ? "B" : "A");
}

describe("protected routes", () => {
  test("accept a token obtained from the session endpoint", async () => {
    const gateway = gatewayForTest();
    const response = await echoWith(gateway, await sessionToken(gateway));
    expect(response.status).toBe(200);
  });

  test("accept the Bearer scheme case-insensitively", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo`, {
      headers: { authorization: `bearer ${gateway.issueToken()}` },
    });
    expect(response.status).toBe(200);
  });

  test("refuse a request without Authorization with 401 invalid token", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(await response.json()).toEqual(INVALID);
  });

  test("refuse a non-Bearer Authorization with 401 invalid token", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/echo`, {
      headers: { authorization: `Basic ${btoa("dev-client-key:")}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID);
  });

  test.each([
    ["random text", "not-a-jwt"],
    ["two segments", "abc.def"],
    ["four segments", "a.b.c.d"],
    ["non-base64url characters", "a$b.c%d.e^f"],
    ["base64url of non-JSON", `${btoa("nope")}.${btoa("nope")}.${btoa("nope")}`],
  ])("refuse a garbled token (%s) with 401 invalid token", async (_, token) => {
    const gateway = gatewayForTest();
    const response = await echoWith(gateway, token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID);
  });

  test("refuse a token whose signature was tampered with", async () => {
    const gateway = gatewayForTest();
    const token = await sessionToken(gateway);
    const response = await echoWith(gateway, tamperLastChar(token));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID);
  });

  test("refuse a token whose payload was changed to extend its life", async () => {
    const gateway = gatewayForTest();
    const [header, payload, signature] = (await sessionToken(gateway)).split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    claims.exp += 3600;
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const response = await echoWith(gateway, forged);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID);
  });

  test("refuse an unsigned alg:none token", async () => {
    const gateway = gatewayForTest();
    const [, payload] = (await sessionToken(gateway)).split(".");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const response = await echoWith(gateway, `${header}.${payload}.`);
    expect(response.status).toBe(401);
  });

  test("refuse a token signed by another gateway instance", async () => {
    const issuer = gatewayForTest();
    const verifier = gatewayForTest();
    const response = await echoWith(verifier, issuer.issueToken());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID);
  });

  test("refuse a token after its ttl with 401 token expired", async () => {
    const gateway = gatewayForTest({ ttlSec: 1 });
    const token = await sessionToken(gateway);
    expect((await echoWith(gateway, token)).status).toBe(200);
    await Bun.sleep(1_500);
    const response = await echoWith(gateway, token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(EXPIRED);
    // A fresh token from the same gateway works again.
    expect((await echoWith(gateway, await sessionToken(gateway))).status).toBe(200);
  });

  test("issueToken honours its own ttlSec", async () => {
    const gateway = gatewayForTest({ ttlSec: 900 });
    const token = gateway.issueToken({ ttlSec: 0.3 });
    await Bun.sleep(600);
    expect(await (await echoWith(gateway, token)).json()).toEqual(EXPIRED);
    expect((await echoWith(gateway, gateway.issueToken())).status).toBe(200);
  });

  test("issueToken refuses a ttl that is not a positive number", () => {
    const gateway = gatewayForTest();
    expect(() => gateway.issueToken({ ttlSec: 0 })).toThrow(TypeError);
    expect(() => gateway.issueToken({ ttlSec: Number.NaN })).toThrow(TypeError);
  });

  test("refuse every token issued before revokeAll with 403 token revoked", async () => {
    const gateway = gatewayForTest();
    const fromSession = await sessionToken(gateway);
    const minted = gateway.issueToken();
    gateway.revokeAll();
    for (const token of [fromSession, minted]) {
      const response = await echoWith(gateway, token);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual(REVOKED);
    }
  });

  test("accept tokens issued right after revokeAll, even within the same second", async () => {
    const gateway = gatewayForTest();
    const old = gateway.issueToken();
    gateway.revokeAll();
    const minted = gateway.issueToken();
    const fromSession = await sessionToken(gateway);
    expect((await echoWith(gateway, minted)).status).toBe(200);
    expect((await echoWith(gateway, fromSession)).status).toBe(200);
    expect((await echoWith(gateway, old)).status).toBe(403);
    gateway.revokeAll();
    expect((await echoWith(gateway, minted)).status).toBe(403);
  });

  test("report an expired revoked token as expired", async () => {
    const gateway = gatewayForTest();
    const token = gateway.issueToken({ ttlSec: 0.2 });
    gateway.revokeAll();
    await Bun.sleep(400);
    expect(await (await echoWith(gateway, token)).json()).toEqual(EXPIRED);
  });

  test("count 401 and 403 answers as auth failures", async () => {
    const gateway = gatewayForTest();
    const token = gateway.issueToken();
    await echoWith(gateway, "garbage");
    await fetch(`${gateway.url}/ecom/tasks/scrape`, { method: "POST", body: "{}" });
    gateway.revokeAll();
    await echoWith(gateway, token);
    await echoWith(gateway, gateway.issueToken());
    expect(gateway.stats().authFailures).toBe(3);
  });
});
