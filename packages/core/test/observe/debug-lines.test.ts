/**
 * The debug lines: the format of each event (stable, greppable), `AUTH_DEBUG=1` printing them on
 * stderr in a real process and nothing without it, and a throwing listener breaking nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  createConfig,
  formatEventLine,
  getAccessToken,
  subscribe,
} from "../fixtures/internal-api.ts";

const KEY = "ck-debug-CANARY-0c9e41";
const CLIENT = fileURLToPath(new URL("../fixtures/client.ts", import.meta.url));

let gateway: DevGateway;
let dir: string;

beforeAll(async () => {
  gateway = startDevGateway({ clientKeys: [KEY] });
  dir = await mkdtemp(`${tmpdir()}/openclaw-debug-`);
});

afterAll(async () => {
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("formatEventLine", () => {
  test("every event is one line: the name, then its fields as key=value in order", () => {
    expect(
      [
        { type: "token.acquired", source: "network", ms: 83, attempts: 1 },
        { type: "token.refreshed", ms: 12.3456, attempts: 2 },
        { type: "token.stale_served", expiresInSec: 240, error: "AUTH_NETWORK_ERROR" },
        { type: "token.retry", reason: "status", status: 503, delayMs: 250, attempt: 1 },
        { type: "token.retry", reason: "network", delayMs: 180, attempt: 2 },
        { type: "lock.waited", ms: 40, outcome: "token" },
        { type: "request.retried_after_auth_failure", method: "POST", status: 401 },
        { type: "cache.warning", message: 'not using cache file /c/token_ab.json: "odd"' },
      ].map((event) => formatEventLine(event as Parameters<typeof formatEventLine>[0])),
    ).toEqual([
      "openclaw-auth: token.acquired source=network ms=83 attempts=1",
      "openclaw-auth: token.refreshed ms=12.346 attempts=2",
      "openclaw-auth: token.stale_served expiresInSec=240 error=AUTH_NETWORK_ERROR",
      "openclaw-auth: token.retry reason=status status=503 delayMs=250 attempt=1",
      "openclaw-auth: token.retry reason=network delayMs=180 attempt=2",
      "openclaw-auth: lock.waited ms=40 outcome=token",
      "openclaw-auth: request.retried_after_auth_failure method=POST status=401",
      'openclaw-auth: cache.warning message="not using cache file /c/token_ab.json: \\"odd\\""',
    ]);
  });
});

describe("AUTH_DEBUG", () => {
  // Async: the gateway answers from this process's event loop.
  const run = async (debug: Record<string, string>) => {
    const child = Bun.spawn([process.execPath, CLIENT, "token"], {
      env: {
        PATH: process.env.PATH ?? "",
        AUTH_BASE: gateway.url,
        CLIENT_KEY: KEY,
        AUTH_CACHE_DIR: `${dir}/${Object.keys(debug).length}`,
        ...debug,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr };
  };

  test("AUTH_DEBUG=1 prints one redacted line per event on stderr, stdout untouched", async () => {
    const { code, stdout, stderr } = await run({ AUTH_DEBUG: "1" });
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const token = (JSON.parse(stdout) as { token: string }).token;
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^openclaw-auth: token\.acquired source=network ms=\d+ attempts=1$/),
    ]);
    expect(stderr).not.toContain(KEY);
    expect(stderr).not.toContain(token);
  });

  test("a config made with debug: true prints the same lines without AUTH_DEBUG", async () => {
    const index = JSON.stringify(join(import.meta.dir, "../../src/index.ts"));
    const script = `import { createConfig, getAccessToken } from ${index};
const env = process.env;
const config = createConfig({ authBase: env.AUTH_BASE, clientKey: env.CLIENT_KEY, cacheDir: env.AUTH_CACHE_DIR, debug: true });
await getAccessToken({ config });`;
    const child = Bun.spawn([process.execPath, "-e", script], {
      env: {
        PATH: process.env.PATH ?? "",
        AUTH_BASE: gateway.url,
        CLIENT_KEY: KEY,
        AUTH_CACHE_DIR: `${dir}/from-options`,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^openclaw-auth: token\.acquired source=network ms=\d+ attempts=1$/m);
    expect(stderr).not.toContain(KEY);
  });

  test("without AUTH_DEBUG nothing is printed", async () => {
    const { code, stderr } = await run({});
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });
});

describe("listeners", () => {
  test("a listener that throws neither fails the call nor silences the other listeners", async () => {
    const seen: string[] = [];
    const offBad = subscribe(() => {
      throw new Error("listener bug");
    });
    const offGood = subscribe((event) => seen.push(event.type));
    try {
      const config = createConfig({ authBase: gateway.url, clientKey: KEY, cacheDir: dir });
      const token = await getAccessToken({ config });
      expect(token.length).toBeGreaterThan(10);
    } finally {
      offBad();
      offGood();
    }
    expect(seen).toEqual(["token.acquired"]);
  });
});
