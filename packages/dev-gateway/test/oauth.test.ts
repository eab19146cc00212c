import { describe, expect, test } from "bun:test";
import { DEFAULT_DEV_CLIENT_ID, DEFAULT_DEV_CLIENT_KEY, OAUTH_TOKEN_PATH } from "../src/index.ts";
import { gatewayForTest } from "./helpers.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** RFC 6749 §2.3.1: form-encode id and secret, then base64 `id:secret`. */
const basic = (id: string, secret: string) => {
  const encode = (s: string) => encodeURIComponent(s).replaceAll("%20", "+");
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`;
};

function tokenRequest(url: string, form: Record<string, string>, headers = {}) {
  return fetch(`${url}${OAUTH_TOKEN_PATH}`, {
    method: "POST",
    headers: { ...FORM, ...headers },
    body: new URLSearchParams(form),
  });
}

describe("OAuth 2.0 client_credentials", () => {
  test("both discovery documents name the gateway as issuer and its token endpoint", async () => {
    const gateway = gatewayForTest();
    for (const path of ["oauth-authorization-server", "openid-configuration"]) {
      const response = await fetch(`${gateway.url}/.well-known/${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        issuer: gateway.url,
        token_endpoint: `${gateway.url}/oauth/token`,
        grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      });
    }
  });

  test("client_secret_basic: a Bearer token the API routes accept, counted as issued", async () => {
    const gateway = gatewayForTest({ ttlSec: 120 });
    const response = await tokenRequest(
      gateway.url,
      { grant_type: "client_credentials", scope: "api.read" },
      { authorization: basic(DEFAULT_DEV_CLIENT_ID, DEFAULT_DEV_CLIENT_KEY) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 120, scope: "api.read" });
    const echo = await fetch(`${gateway.url}/echo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(echo.status).toBe(200);
    expect(gateway.stats().tokensIssued).toBe(1);
  });

  test("client_secret_post, with a secret that needs form encoding in Basic", async () => {
    const secret = "se:cr+et with=odd&chars";
    const gateway = gatewayForTest({ clientKeys: [secret], oauthClientId: "svc:one" });
    const post = await tokenRequest(gateway.url, {
      grant_type: "client_credentials",
      client_id: "svc:one",
      client_secret: secret,
    });
    expect(post.status).toBe(200);
    const viaBasic = await tokenRequest(
      gateway.url,
      { grant_type: "client_credentials" },
      { authorization: basic("svc:one", secret) },
    );
    expect(viaBasic.status).toBe(200);
    expect(gateway.stats().tokensIssued).toBe(2);
  });

  test("a wrong secret or client id is invalid_client (401), with Basic's challenge when Basic was used; the secret is never echoed", async () => {
    const gateway = gatewayForTest();
    const wrongBasic = await tokenRequest(
      gateway.url,
      { grant_type: "client_credentials" },
      { authorization: basic(DEFAULT_DEV_CLIENT_ID, "wrong-secret-123") },
    );
    expect(wrongBasic.status).toBe(401);
    expect(wrongBasic.headers.get("www-authenticate")).toStartWith("Basic");
    const text = await wrongBasic.text();
    expect(JSON.parse(text).error).toBe("invalid_client");
    expect(text).not.toContain("wrong-secret-123");

    const wrongId = await tokenRequest(gateway.url, {
      grant_type: "client_credentials",
      client_id: "someone-else",
      client_secret: DEFAULT_DEV_CLIENT_KEY,
    });
    expect(wrongId.status).toBe(401);
    expect(wrongId.headers.get("www-authenticate")).toBeNull();
    const none = await tokenRequest(gateway.url, { grant_type: "client_credentials" });
    expect(none.status).toBe(401);
    expect(gateway.stats().tokensIssued).toBe(0);
  });

  test("another grant type, two authentication methods at once, or a JSON body are 400s", async () => {
    const gateway = gatewayForTest();
    const password = await tokenRequest(gateway.url, {
      grant_type: "password",
      client_id: DEFAULT_DEV_CLIENT_ID,
      client_secret: DEFAULT_DEV_CLIENT_KEY,
    });
    expect(password.status).toBe(400);
    expect(((await password.json()) as { error: string }).error).toBe("unsupported_grant_type");
    const both = await tokenRequest(
      gateway.url,
      { grant_type: "client_credentials", client_id: DEFAULT_DEV_CLIENT_ID },
      { authorization: basic(DEFAULT_DEV_CLIENT_ID, DEFAULT_DEV_CLIENT_KEY) },
    );
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: string }).error).toBe("invalid_request");
    const asJson = await fetch(`${gateway.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(asJson.status).toBe(400);
  });
});

describe("binding", () => {
  test("bound to every interface (0.0.0.0), its url is the loopback address a client can use", async () => {
    const gateway = gatewayForTest({ hostname: "0.0.0.0" });
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });
});
