/**
 * The session grant's token request as the gateway sees it and as its answers read: the JSON
 * body it sends, the token it returns, and what each refusal says (a token missing or malformed,
 * an error status, a redirect), against a scripted gateway on 127.0.0.1.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { type RetryInfo, requestAccessToken } from "../../src/grants/token-request.ts";
import {
  AuthSessionError,
  type ConfigOptions,
  createConfig,
  DEFAULT_RETRY_POLICY,
} from "../fixtures/internal-api.ts";
import { jsonAnswer, type RecordingServer, recordingServer } from "./recording-server.ts";

const KEY = "session-key-CANARY-0123456789";

let gateway: RecordingServer | undefined;
afterEach(() => gateway?.stop());

function serve(answer: Parameters<typeof recordingServer>[0]) {
  gateway = recordingServer(answer);
  return gateway;
}

function ask(base: string, options: Partial<ConfigOptions> = {}, onRetry?: (i: RetryInfo) => void) {
  return requestAccessToken({
    config: createConfig({
      authBase: base,
      clientKey: KEY,
      sessionPath: "/auth/session",
      ...options,
    }),
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 },
    fetch: (input, init) => fetch(input, init),
    signal: new AbortController().signal,
    ...(onRetry ? { onRetry } : {}),
  });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the token request succeeded");
    },
    (error: unknown) => error as AuthSessionError,
  );

describe("what the session request sends", () => {
  test("POST {authBase}{sessionPath} with {clientKey} as JSON, asking for JSON; the token and its lifetime come back", async () => {
    const g = serve(() => jsonAnswer(200, { accessToken: "tok-session", expiresIn: 600 }));
    const before = Date.now() / 1000;
    const token = await ask(g.url);
    expect(g.seen).toHaveLength(1);
    const [sent] = g.seen;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/auth/session");
    expect(sent?.headers.get("content-type")).toBe("application/json");
    expect(sent?.headers.get("accept")).toBe("application/json");
    expect(JSON.parse(sent?.body ?? "")).toEqual({ clientKey: KEY });
    expect(token.accessToken).toBe("tok-session");
    expect(token.expiresIn).toBe(600);
    // Epoch seconds from now: the cache serves it for ten minutes, not for ever or never.
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 600);
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 600);
  });
});

describe("what a refused session request says", () => {
  test("a 2xx body without a token: 'Missing accessToken in the auth session response', quoting the body with the key redacted", async () => {
    const g = serve(() => jsonAnswer(200, { code: 1, msg: `no token for ${KEY}` }));
    const error = await failure(ask(g.url));
    expect(error).toBeInstanceOf(AuthSessionError);
    expect(error.message).toBe(
      `Missing accessToken in the auth session response (HTTP 200, POST ${g.url}/auth/session): {"code":1,"msg":"no token for [redacted]"}`,
    );
    expect(error.status).toBe(200);
    expect(error.request).toBe(`POST ${g.url}/auth/session`);
  });

  test("a malformed token (a space inside) is refused with the rule, the body not quoted: it may be a real token with a stray byte", async () => {
    const g = serve(() =>
      jsonAnswer(200, { accessToken: "real-token with-a-space", expiresIn: 60 }),
    );
    const error = await failure(ask(g.url));
    expect(error.message).toBe(
      `Missing accessToken in the auth session response (HTTP 200, POST ${g.url}/auth/session): the token is not 1..16384 visible ASCII characters without spaces`,
    );
  });

  test("an error status quotes the body, the key redacted; an OAuth-looking body carries no oauthError on this grant", async () => {
    const g = serve(() =>
      jsonAnswer(401, { error: "invalid_client", error_description: `bad key ${KEY}` }),
    );
    const error = await failure(ask(g.url));
    expect(error).toBeInstanceOf(AuthSessionError);
    expect(error.code).toBe("AUTH_SESSION_ERROR");
    expect(error.message).toBe(
      `Auth session request failed (HTTP 401, POST ${g.url}/auth/session): {"error":"invalid_client","error_description":"bad key [redacted]"}`,
    );
    expect(error.status).toBe(401);
    expect(error.request).toBe(`POST ${g.url}/auth/session`);
    expect(error.retryAfterSec).toBeUndefined();
    expect(error.oauthError).toBeUndefined();
  });

  test("a body over 64 KiB is not used: the message says so and quotes none of it", async () => {
    const g = serve(() =>
      jsonAnswer(200, { accessToken: "tok-big", expiresIn: 60, pad: "x".repeat(70 * 1024) }),
    );
    const error = await failure(ask(g.url));
    expect(error.message).toBe(
      `Auth session response exceeded 64 KiB (HTTP 200, POST ${g.url}/auth/session); nothing of it was used`,
    );
    expect(error.status).toBe(200);
  });
});

describe("a redirect of the token request is refused, naming where it pointed and no more", () => {
  const cases: [string, string | undefined, string][] = [
    [
      "another origin: its origin, never its path or query",
      "https://elsewhere.example:8443/steal?k=v",
      "https://elsewhere.example:8443",
    ],
    ["no Location at all", undefined, "a missing Location"],
    ["a URL without an origin", "data:text/plain,hello", "a data: URL"],
    ["a Location no URL parser reads", "http://[::1", "an unparsable Location"],
  ];
  for (const [name, location, named] of cases) {
    test(name, async () => {
      const g = serve(
        () => new Response(null, { status: 302, headers: location ? { location } : {} }),
      );
      const error = await failure(ask(g.url));
      expect(error).toBeInstanceOf(AuthSessionError);
      expect(error.message).toBe(
        `Auth session request failed (HTTP 302, POST ${g.url}/auth/session): redirected to ${named}; the token request follows no redirect, so the client key was not sent there`,
      );
      expect(error.status).toBe(302);
      expect(error.request).toBe(`POST ${g.url}/auth/session`);
      expect(g.seen).toHaveLength(1);
    });
  }
});
