/**
 * authFetch's Response handed on as it is: a Bun.serve handler that answers with it (a small
 * proxy in front of the API) sends its status, headers and whole body to its own client.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { createAuthFetch, createTokenManager } from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";

const CLIENT_KEY = "ck-authfetch-answer-2f9c";
let gateway: DevGateway;
let api: ReturnType<typeof Bun.serve>;
let front: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  api = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response('{"items":[1,2,3]}', {
        status: 201,
        headers: { "content-type": "application/json", "x-from": "api" },
      }),
  });
  const apiUrl = `http://127.0.0.1:${api.port}`;
  const config = testConfig(gateway.url, CLIENT_KEY, { AUTH_ALLOWED_ORIGINS: apiUrl });
  const authFetch = createAuthFetch({
    config,
    tokenManager: createTokenManager({ config, store: null }),
  });
  front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => authFetch(`${apiUrl}${new URL(request.url).pathname}`),
  });
});
afterAll(async () => {
  front.stop(true);
  api.stop(true);
  await gateway.stop();
});

test("a Bun.serve handler answering with authFetch's Response sends its status, headers and body", async () => {
  const response = await fetch(`http://127.0.0.1:${front.port}/items`);
  expect(response.status).toBe(201);
  expect(response.headers.get("x-from")).toBe("api");
  expect(await response.text()).toBe('{"items":[1,2,3]}');
});
