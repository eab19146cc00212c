/** Shared test helpers: gateways that stop themselves after each test, and small request shortcuts. */
import { afterEach } from "bun:test";
import {
  DEFAULT_DEV_CLIENT_KEY,
  type DevGateway,
  type DevGatewayOptions,
  startDevGateway,
} from "../src/index.ts";

const running: DevGateway[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
});

/** A gateway that is stopped after the current test. */
export function gatewayForTest(options?: DevGatewayOptions): DevGateway {
  const gateway = startDevGateway(options);
  running.push(gateway);
  return gateway;
}

/** POSTs `body` (JSON-encoded unless a string) to `path`. */
export function post(
  gateway: DevGateway,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Trades `clientKey` for a token over HTTP, asserting nothing. */
export function requestSession(
  gateway: DevGateway,
  clientKey: string = DEFAULT_DEV_CLIENT_KEY,
): Promise<Response> {
  return post(gateway, "/auth/session", { clientKey });
}

/** A token obtained over HTTP, the way a client gets one. */
export async function sessionToken(gateway: DevGateway, clientKey?: string): Promise<string> {
  const response = await requestSession(gateway, clientKey);
  if (response.status !== 200) throw new Error(`session failed: HTTP ${response.status}`);
  const body = (await response.json()) as { accessToken: string };
  return body.accessToken;
}

/** GET /echo with `Authorization: Bearer <token>`. */
export function echoWith(gateway: DevGateway, token: string): Promise<Response> {
  return fetch(`${gateway.url}/echo`, { headers: { authorization: `Bearer ${token}` } });
}

/** The decoded claims of a JWT, without verifying it. */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}
