/**
 * Which failures of the token request are tried again, how many times, after which wait, and what
 * the last one says: statuses, network failures, `Retry-After` and its bound, an aborted caller.
 * The waits are the policy's (1-2 ms) or cut short by an abort, so nothing here sleeps.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { type RetryInfo, requestAccessToken } from "../../src/grants/token-request.ts";
import {
  AuthNetworkError,
  AuthSessionError,
  createConfig,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from "../fixtures/internal-api.ts";
import {
  closedOrigin,
  jsonAnswer,
  type RecordingServer,
  recordingServer,
} from "./recording-server.ts";

const KEY = "retry-key-CANARY-0123456789";
const TOKEN = { accessToken: "tok-retried", expiresIn: 600 };

let gateway: RecordingServer | undefined;
afterEach(() => gateway?.stop());

interface Ask {
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  readonly onRetry?: (info: RetryInfo) => void;
  readonly proxySecrets?: readonly string[];
}

function ask(base: string, options: Ask = {}) {
  return requestAccessToken({
    config: createConfig({ authBase: base, clientKey: KEY }),
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2, ...options.retry },
    fetch: (input, init) => fetch(input, init),
    signal: options.signal ?? new AbortController().signal,
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.proxySecrets
      ? {
          proxyFor: () => ({
            origin: "http://proxy.example:3128",
            variable: "HTTPS_PROXY",
            secrets: options.proxySecrets,
          }),
        }
      : {}),
  });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the token request succeeded");
    },
    (error: unknown) => error as Failure,
  );

/** The fields either error of the token request may carry. */
type Failure = Error & {
  readonly code: string;
  readonly status?: number;
  readonly retryAfterSec?: number;
  readonly request?: string;
  readonly reason?: string;
};

/** A gateway that answers `statuses` in turn (an empty JSON body), then a token. */
function failingFirst(...statuses: number[]) {
  gateway = recordingServer((_seen, n) =>
    n <= statuses.length ? jsonAnswer(statuses[n - 1] as number, {}) : jsonAnswer(200, TOKEN),
  );
  return gateway;
}

describe("which statuses are tried again", () => {
  for (const status of [408, 429, 500, 503]) {
    test(`${status} is tried again, and the next answer's token is returned`, async () => {
      const g = failingFirst(status);
      const retries: RetryInfo[] = [];
      expect((await ask(g.url, { onRetry: (i) => retries.push(i) })).accessToken).toBe(
        "tok-retried",
      );
      expect(g.seen).toHaveLength(2);
      expect(retries.map(({ reason, status, attempt }) => ({ reason, status, attempt }))).toEqual([
        { reason: "status", status, attempt: 1 },
      ]);
      // No Retry-After: the policy's backoff, below its ceiling.
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(0);
      expect(retries[0]?.delayMs).toBeLessThanOrEqual(2);
    });
  }

  for (const status of [400, 401, 404, 499]) {
    test(`${status} fails at once: one request`, async () => {
      const g = failingFirst(status);
      const error = await failure(ask(g.url));
      expect(error.status).toBe(status);
      expect(g.seen).toHaveLength(1);
    });
  }

  test("a retryable status is tried `limit` more times, no more; the last answer is the error", async () => {
    const g = failingFirst(503, 503, 503, 503);
    const error = await failure(ask(g.url, { retry: { limit: 2 } }));
    expect(g.seen).toHaveLength(3);
    expect(error).toBeInstanceOf(AuthSessionError);
    expect(error.message).toBe(
      `Auth session request failed (HTTP 503, POST ${g.url}/auth/session): {}`,
    );
  });

  test("with a limit of 0 a 503 is not tried again", async () => {
    const g = failingFirst(503);
    await failure(ask(g.url, { retry: { limit: 0 } }));
    expect(g.seen).toHaveLength(1);
  });
});

describe("a gateway that cannot be reached", () => {
  test("is tried again after the policy's wait, then is an AuthNetworkError counting the attempts", async () => {
    const base = closedOrigin();
    const retries: RetryInfo[] = [];
    const error = await failure(
      ask(base, { retry: { limit: 1 }, onRetry: (i) => retries.push(i) }),
    );
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect(error.code).toBe("AUTH_NETWORK_ERROR");
    expect(error.reason).toBe("network");
    expect(error.request).toBe(`POST ${base}/auth/session`);
    expect(error.message).toStartWith("Auth session request failed: ");
    expect(error.message).toEndWith(`(POST ${base}/auth/session, 2 attempts)`);
    expect(error.cause).toBeDefined();
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ reason: "network", attempt: 1 });
    expect(retries[0]?.delayMs).toBeLessThanOrEqual(2);
  });

  test("with a limit of 0: one attempt, no wait", async () => {
    const base = closedOrigin();
    const retries: RetryInfo[] = [];
    const error = await failure(
      ask(base, { retry: { limit: 0 }, onRetry: (i) => retries.push(i) }),
    );
    expect(error.message).toEndWith(`(POST ${base}/auth/session, 1 attempts)`);
    expect(retries).toEqual([]);
  });

  test("through a proxy: the message names the proxy", async () => {
    const base = closedOrigin();
    const error = await failure(ask(base, { retry: { limit: 0 }, proxySecrets: ["proxy-pw"] }));
    expect(error.message).toEndWith(
      `(POST ${base}/auth/session, 1 attempts, through the proxy http://proxy.example:3128 (HTTPS_PROXY); it did not answer)`,
    );
  });
});

test("an answer echoing the proxy's credentials and the key has both redacted", async () => {
  gateway = recordingServer(() =>
    jsonAnswer(400, { msg: `proxy login proxy-pw-CANARY-42 and key ${KEY}` }),
  );
  const error = await failure(ask(gateway.url, { proxySecrets: ["proxy-pw-CANARY-42"] }));
  expect(error.message).toBe(
    `Auth session request failed (HTTP 400, POST ${gateway.url}/auth/session): {"msg":"proxy login [redacted] and key [redacted]"}`,
  );
});

describe("Retry-After", () => {
  test("a wait longer than the policy allows fails at once, saying how long was asked", async () => {
    gateway = recordingServer(() => jsonAnswer(429, {}, { "retry-after": "120" }));
    const error = await failure(ask(gateway.url));
    expect(error.message).toBe(
      `Auth session request failed (HTTP 429, POST ${gateway.url}/auth/session): the gateway asked to wait 120 s before retrying, longer than the 30 s this client waits`,
    );
    expect(error.retryAfterSec).toBe(120);
    expect(error.status).toBe(429);
    expect(error.request).toBe(`POST ${gateway.url}/auth/session`);
    expect(gateway.seen).toHaveLength(1);
  });

  test("a wait of exactly the policy's bound is honoured: the retry waits that long (cut short here by an abort)", async () => {
    gateway = recordingServer(() => jsonAnswer(503, {}, { "retry-after": "2" }));
    const controller = new AbortController();
    const retries: RetryInfo[] = [];
    const error = await failure(
      ask(gateway.url, {
        retry: { maxRetryAfterSec: 2 },
        signal: controller.signal,
        onRetry: (info) => {
          retries.push(info);
          controller.abort();
        },
      }),
    );
    expect(retries).toEqual([{ reason: "status", status: 503, delayMs: 2000, attempt: 1 }]);
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect(error.reason).toBe("aborted");
  });

  test("a final refusal keeps the Retry-After it carried", async () => {
    gateway = recordingServer(() => jsonAnswer(503, {}, { "retry-after": "1" }));
    const error = await failure(ask(gateway.url, { retry: { limit: 0 } }));
    expect(error.retryAfterSec).toBe(1);
    expect(error.status).toBe(503);
    expect(error.request).toBe(`POST ${gateway.url}/auth/session`);
  });
});

describe("an aborted caller", () => {
  test("a caller aborted before the request: nothing is fetched, and the error names the auth session request", async () => {
    let fetched = 0;
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      requestAccessToken({
        config: createConfig({ authBase: "http://127.0.0.1:9", clientKey: KEY }),
        retry: DEFAULT_RETRY_POLICY,
        fetch: (input, init) => {
          fetched++;
          return fetch(input, init);
        },
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(AuthNetworkError);
    expect(error.message).toBe("The auth session request was aborted");
    expect(error.reason).toBe("aborted");
    expect(error.request).toBe("POST http://127.0.0.1:9/auth/session");
    expect(fetched).toBe(0);
  });

  test("a caller aborted while the gateway holds its answer: the error names the auth session request", async () => {
    const controller = new AbortController();
    gateway = recordingServer(() => {
      controller.abort();
      return new Promise<Response>(() => {});
    });
    const error = await failure(ask(gateway.url, { signal: controller.signal }));
    expect(error.message).toBe("The auth session request was aborted");
    expect(error.reason).toBe("aborted");
    expect(gateway.seen).toHaveLength(1);
  });
});
