/**
 * requestApiWithAutoRefresh when the API refuses the token: 401, 403 or a body that says the
 * token is bad causes one refresh and one resend of the same bytes with the new token; a
 * second refusal is returned; other answers are returned without a refresh. The token comes
 * from a dev gateway; the API is a scripted server on 127.0.0.1 in AUTH_ALLOWED_ORIGINS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { binding } from "../../src/bun/bun-binding.ts";
import type { AuthEvent } from "../../src/observe/events.ts";
import { createAuthRuntime } from "../../src/runtime/runtime.ts";
import {
  ApiError,
  createTokenManager,
  type EnvConfig,
  requestApi,
  requestApiWithAutoRefresh,
  type TokenManager,
} from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";

interface Seen {
  method: string;
  authorization: string | null;
  contentType: string | null;
  bytes: Uint8Array;
}

const CLIENT_KEY = "ck-auth-resend-5e2a";
const seen: Seen[] = [];
let script: (() => Response)[] = [];
let gateway: DevGateway;
let server: ReturnType<typeof Bun.serve>;
let api = "";
let config: EnvConfig;
let manager: TokenManager;

beforeAll(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      seen.push({
        method: request.method,
        authorization: request.headers.get("authorization"),
        contentType: request.headers.get("content-type"),
        bytes: new Uint8Array(await request.arrayBuffer()),
      });
      const answer = script[Math.min(seen.length - 1, script.length - 1)];
      return answer ? answer() : new Response("ok");
    },
  });
  api = `http://127.0.0.1:${server.port}`;
  config = testConfig(gateway.url, CLIENT_KEY, { AUTH_ALLOWED_ORIGINS: api });
});
afterAll(async () => {
  server.stop(true);
  await gateway.stop();
});
beforeEach(() => {
  seen.length = 0;
  script = [];
  manager = createTokenManager({ config, store: null });
});

const answer =
  (status: number, body = `status ${status}`) =>
  () =>
    new Response(body, { status, headers: { "content-type": "application/json" } });

async function issued(): Promise<number> {
  return (await gateway.stats()).tokensIssued;
}

describe("an auth failure: one refresh, one resend", () => {
  test.each([
    ["401", answer(401)],
    ["403", answer(403)],
    ["200 with a token-expired body", answer(200, '{"error":"token_expired"}')],
  ])("%s: the same bytes are resent once with the new token", async (_name, refusal) => {
    script = [refusal, answer(200, '{"ok":true}')];
    const before = await issued();
    const events: AuthEvent[] = [];
    const form = new FormData();
    form.append("field", "value é");
    form.append("file", new Blob([new Uint8Array([0, 1, 2, 255])]), "f.bin");
    const response = await requestApiWithAutoRefresh({
      config,
      tokenManager: manager,
      url: `${api}/upload`,
      method: "POST",
      body: form,
      onEvent: (event) => events.push(event),
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('{"ok":true}');
    expect(seen.length).toBe(2);
    const [first, second] = seen as [Seen, Seen];
    expect(second.bytes).toEqual(first.bytes);
    expect(second.contentType).toBe(first.contentType);
    expect(first.contentType).toStartWith("multipart/form-data; boundary=");
    expect(second.authorization).not.toBe(first.authorization);
    expect(second.authorization).toBe(`Bearer ${(await manager.getToken()).accessToken}`);
    expect((await issued()) - before).toBe(2);
    // The token's own events reach the caller's onEvent: the first token, then the refresh.
    expect(events.map((e) => e.type).filter((type) => type.startsWith("token."))).toEqual([
      "token.acquired",
      "token.refreshed",
    ]);
    const told = events.filter((e) => e.type === "request.retried_after_auth_failure");
    expect(told).toEqual([
      {
        type: "request.retried_after_auth_failure",
        method: "POST",
        status: refusal().status,
      },
    ] as typeof told);
  });

  test("a second refusal is returned as it is: no third send, no second refresh", async () => {
    script = [answer(401)];
    const before = await issued();
    const response = await requestApiWithAutoRefresh({
      config,
      tokenManager: manager,
      url: `${api}/x`,
    });
    expect(response.status).toBe(401);
    expect(seen.length).toBe(2);
    expect((await issued()) - before).toBe(2);
  });

  test.each([404, 500, 200])(
    "HTTP %p with an ordinary body is returned without a refresh",
    async (status) => {
      script = [answer(status, '{"message":"fine"}')];
      const before = await issued();
      const response = await requestApiWithAutoRefresh({
        config,
        tokenManager: manager,
        url: `${api}/x`,
        retry: 0,
      });
      expect(response.status).toBe(status);
      expect(seen.length).toBe(1);
      expect((await issued()) - before).toBe(1);
    },
  );

  test("a caller's detector decides what is an auth failure", async () => {
    script = [answer(418), answer(200)];
    const response = await requestApiWithAutoRefresh({
      config,
      tokenManager: manager,
      url: `${api}/x`,
      isAuthFailure: (r) => r.status === 418,
    });
    expect(response.status).toBe(200);
    expect(seen.length).toBe(2);
    seen.length = 0;
    script = [answer(401)];
    const kept = await requestApiWithAutoRefresh({
      config,
      tokenManager: manager,
      url: `${api}/x`,
      isAuthFailure: () => false,
    });
    expect([kept.status, seen.length]).toEqual([401, 1]);
  });

  test("requestApi sends the given token and never refreshes, even on 401", async () => {
    script = [answer(401)];
    const before = await issued();
    const response = await requestApi({ config, url: `${api}/x`, authToken: "given-token" });
    expect(response.status).toBe(401);
    expect(seen.map((s) => s.authorization)).toEqual(["Bearer given-token"]);
    expect(await issued()).toBe(before);
  });
});

describe("where the request goes and what an error holds", () => {
  test("a path resolves under authBase; a foreign origin is refused before a token is asked", async () => {
    const before = await issued();
    const error = (await requestApiWithAutoRefresh({
      config,
      tokenManager: createTokenManager({ config, store: null }),
      url: "http://localhost:1/steal",
    }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.reason).toBe("refused");
    expect(await issued()).toBe(before);
    const echo = await requestApiWithAutoRefresh({ config, tokenManager: manager, url: "/health" });
    expect(echo.url).toBe(`${gateway.url}/health`);
  });

  test("a failed send's ApiError names the request, not the token or the key", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const dead = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const local = testConfig(gateway.url, CLIENT_KEY, { AUTH_ALLOWED_ORIGINS: dead });
    const owner = createTokenManager({ config: local, store: null });
    const token = (await owner.getToken()).accessToken;
    const error = (await requestApiWithAutoRefresh({
      config: local,
      tokenManager: owner,
      url: `${dead}/x?k=${CLIENT_KEY}`,
      method: "POST",
    }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("API_ERROR");
    expect(error.reason).toBe("network");
    expect(error.request).toBe(`POST ${dead}/x`);
    const text = Bun.inspect(error);
    expect(text).not.toContain(token);
    expect(text).not.toContain(CLIENT_KEY);
  });

  test("a dry run sends nothing and asks no token: it describes the request", async () => {
    const before = await issued();
    const response = await requestApiWithAutoRefresh({
      config,
      url: "/things?x=1",
      method: "put",
      body: { a: 1 },
      dryRun: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-openclaw-dry-run")).toBe("1");
    expect(JSON.parse(response.body)).toMatchObject({
      dryRun: true,
      method: "PUT",
      body: { a: 1 },
    });
    expect(response.body).toContain(`${gateway.url}/things?x=1`);
    expect(response.body).toContain("Bearer [redacted]");
    expect(response.body).toContain("application/json");
    expect(seen).toEqual([]);
    expect(await issued()).toBe(before);
  });

  test("a dry run with neither config nor manager uses the environment's config", async () => {
    const names = ["AUTH_BASE", "CLIENT_KEY", "AUTH_CACHE_DIR"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      process.env.AUTH_BASE = "https://gw.example";
      process.env.CLIENT_KEY = "ck-dry-run-env-7d1f";
      process.env.AUTH_CACHE_DIR = "/nonexistent/openclaw-unused";
      // A runtime of its own: a runtime reads the environment's config once, and an earlier
      // test of this process may have made the shared one's.
      const runtime = createAuthRuntime(binding);
      const response = await runtime.requestApiWithAutoRefresh({ url: "/x", dryRun: true });
      expect(response.status).toBe(200);
      expect(response.url).toBe("https://gw.example/x");
    } finally {
      names.forEach((name, i) => {
        const value = saved[i];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      });
    }
  });
});
