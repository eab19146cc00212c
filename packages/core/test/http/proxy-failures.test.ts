/**
 * API calls through a proxy that fails, in process (Bun's fetch reads HTTP_PROXY and NO_PROXY
 * from process.env on each request; each test sets them for its own calls only): the proxy's
 * credentials never reach the error, and only a connection failure is blamed on the proxy.
 */
import { afterEach, expect, test } from "bun:test";
import { ApiError, requestApi } from "../fixtures/internal-api.ts";

const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function deadPort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}

test("a scheme-less proxy value with a token before @ never reaches the error", async () => {
  const port = await deadPort();
  process.env.HTTP_PROXY = `pxTOKENa1b2c3@127.0.0.1:${port}`;
  process.env.NO_PROXY = "";
  const error = (await requestApi({
    url: `http://127.0.0.1:${port}/x`,
    authToken: "t",
    retry: 0,
  }).catch((e: unknown) => e)) as ApiError;
  expect(error).toBeInstanceOf(ApiError);
  expect(error.reason).toBe("network");
  const seen = [error.message, Bun.inspect(error), String((error.cause as Error)?.message)].join(
    "\n",
  );
  expect(seen).not.toContain("pxTOKENa1b2c3");
});

test("a timeout through a proxy that accepts and stalls is a timeout, not blamed on the proxy", async () => {
  const stalling = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Promise<Response>(() => {}),
  });
  try {
    process.env.HTTP_PROXY = `http://127.0.0.1:${stalling.port}`;
    process.env.NO_PROXY = "";
    const error = (await requestApi({
      url: "http://127.0.0.1:9/x",
      authToken: "t",
      timeoutMs: 200,
    }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.reason).toBe("timeout");
    expect(error.message).not.toContain("proxy");
  } finally {
    stalling.stop(true);
  }
});

test("the global fetch passed as the caller's is still the runtime's: the dead proxy is named", async () => {
  const port = await deadPort();
  process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
  process.env.NO_PROXY = "";
  const error = (await requestApi({
    url: `http://127.0.0.1:${port}/x`,
    authToken: "t",
    retry: 0,
    fetch: globalThis.fetch,
  }).catch((e: unknown) => e)) as ApiError;
  expect(error.reason).toBe("network");
  expect(error.message).toContain(`through the proxy http://127.0.0.1:${port} (HTTP_PROXY)`);
});
