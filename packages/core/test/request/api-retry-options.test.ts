/** The `retry` option of the API calls: its defaults, its checks, and its debug line. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { DEFAULT_API_RETRY_POLICY } from "../../src/index.ts";
import { requestApi } from "../fixtures/internal-api.ts";

describe("API retry options", () => {
  test("defaults: two retries of idempotent methods on 408, 429 and 5xx, the token request's backoff", () => {
    expect(DEFAULT_API_RETRY_POLICY).toEqual({
      limit: 2,
      baseDelayMs: 250,
      maxDelayMs: 4000,
      maxRetryAfterSec: 30,
      methods: ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"],
      statusCodes: [408, 429, 500, 502, 503, 504],
    });
  });

  test.each([
    [-1, /retry\.limit must be an integer >= 0/],
    [1.5, /retry\.limit/],
    [{ limit: Number.NaN }, /retry\.limit/],
    [{ maxRetryAfterSec: -1 }, /retry\.maxRetryAfterSec must be a number >= 0/],
    [{ methods: "GET" }, /retry\.methods must be an array/],
    [{ statusCodes: ["503"] }, /retry\.statusCodes must be an array/],
    ["3", /retry must be a number or an object/],
  ])("retry: %p is a TypeError naming the field, before anything is sent", async (bad, message) => {
    let sent = 0;
    const error = await requestApi({
      url: "https://gw.example/x",
      authToken: "t",
      fetch: async () => {
        sent++;
        return new Response("{}");
      },
      retry: bad as never,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(sent).toBe(0);
  });
});

describe("AUTH_DEBUG=1", () => {
  let gateway: DevGateway;
  beforeAll(() => {
    gateway = startDevGateway({ clientKeys: ["ck-debug-retry"] });
  });
  afterAll(() => gateway.stop());

  test("prints a request.retry line for each retry of an API call", async () => {
    gateway.setFaults([{ kind: "rate-limit", retryAfterSec: 0, route: "/echo", count: 1 }]);
    const index = join(import.meta.dir, "../../src/index.ts");
    const script = `import { requestApi } from ${JSON.stringify(index)};
const response = await requestApi({ url: ${JSON.stringify(`${gateway.url}/echo`)}, authToken: "t" });
console.log(response.status);`;
    const child = Bun.spawn([process.execPath, "-e", script], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTH_DEBUG: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const stdout = await new Response(child.stdout).text();
    const stderr = await new Response(child.stderr).text();
    await child.exited;
    // 401 after the retry: "t" is no token the gateway issued; the 429 came first.
    expect(stdout.trim()).toBe("401");
    expect(stderr).toContain(
      "openclaw-auth: request.retry method=GET reason=status status=429 delayMs=0 attempt=1",
    );
  }, 30_000);
});
