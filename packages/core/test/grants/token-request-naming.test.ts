/**
 * How an error of the token manager names the token request it was about (`request`): the
 * session URL, the configured token endpoint without its query, or the issuer whose token
 * endpoint was still to be discovered. Seen on a caller aborted before anything was sent.
 */
import { expect, test } from "bun:test";
import { describeTokenRequest } from "../../src/grants/token-endpoint.ts";
import {
  AuthNetworkError,
  type ConfigOptions,
  createConfig,
  createTokenManager,
  getAccessToken,
} from "../fixtures/internal-api.ts";

const BASE = "https://api.example.com";

async function requestNamed(options: Partial<ConfigOptions>) {
  const config = createConfig({
    authBase: BASE,
    clientKey: "naming-key-0123456789",
    cacheDir: "/nonexistent/openclaw-naming",
    ...options,
  });
  const controller = new AbortController();
  controller.abort();
  const error = (await getAccessToken({
    tokenManager: createTokenManager({ config, onWarning: () => {} }),
    signal: controller.signal,
  }).catch((e: unknown) => e)) as AuthNetworkError;
  expect(error).toBeInstanceOf(AuthNetworkError);
  expect(error.reason).toBe("aborted");
  return error.request;
}

const cc = { grant: "client_credentials", clientId: "svc" } as const;

test("the session grant: POST {authBase}{sessionPath}", async () => {
  expect(await requestNamed({ sessionPath: "/auth/session" })).toBe(`POST ${BASE}/auth/session`);
});

test("client_credentials with a token path: POST on authBase", async () => {
  expect(await requestNamed({ ...cc, tokenUrl: "/oauth/token" })).toBe(`POST ${BASE}/oauth/token`);
});

test("client_credentials with an absolute token URL: that URL, its query left out", async () => {
  expect(await requestNamed({ ...cc, tokenUrl: "https://idp.example/token?tenant=x" })).toBe(
    "POST https://idp.example/token",
  );
});

test("client_credentials with an issuer: the token endpoint of that issuer, still unknown", async () => {
  expect(await requestNamed({ ...cc, issuer: "https://idp.example/realms/x" })).toBe(
    "POST <token endpoint of https://idp.example/realms/x>",
  );
});

test("a partial config naming neither (as a binding may pass): an endpoint of no issuer, nothing invented", () => {
  expect(
    describeTokenRequest({ authBase: BASE, sessionPath: "/s", grant: "client_credentials" }),
  ).toBe("POST <token endpoint of >");
});
