/**
 * An issuer's discovery obeys the config that asked for it: a config joins another's discovery
 * only when they agree on everything it uses (issuer, timeout, cache dir, fetch). A slow issuer
 * on 127.0.0.1 and two configs of it, each with a cache dir of its own.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { caught, it, recordOutput, sleep, withTempDir } from "../support.ts";
import type { Harness } from "../types.ts";

const TOKEN = { access_token: "discovery-per-config-token", token_type: "Bearer", expires_in: 600 };

interface SlowIssuer {
  readonly url: string;
  /** Metadata requests received. */
  readonly asked: string[];
  stop(): Promise<void>;
}

/**
 * An issuer that answers each metadata request with its metadata after `delayMs`, and each token
 * request at once.
 */
async function startSlowIssuer(delayMs: number): Promise<SlowIssuer> {
  const asked: string[] = [];
  const server = createServer(async (request, response) => {
    for await (const _chunk of request);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let body: unknown = TOKEN;
    if (request.method === "GET") {
      asked.push(request.url ?? "/");
      await sleep(delayMs);
      body = { issuer: url, token_endpoint: `${url}/token` };
    }
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function withSlowIssuer(
  delayMs: number,
  fn: (issuer: SlowIssuer) => Promise<void>,
): Promise<void> {
  const issuer = await startSlowIssuer(delayMs);
  try {
    await fn(issuer);
  } finally {
    await issuer.stop();
  }
}

/** The discovery files a cache dir holds. */
async function discoveryFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => /^discovery_[0-9a-f]{32}\.json$/.test(name));
}

export function discoveryPerConfigSuite(h: Harness): void {
  const { api } = h;
  /** A client_credentials config discovering from `issuer`, its files in `cacheDir`. */
  const configOf = (issuer: string, cacheDir: string, more: Record<string, string> = {}) =>
    api.createEnvConfig(
      {
        AUTH_BASE: issuer,
        AUTH_GRANT: "client_credentials",
        AUTH_ISSUER: issuer,
        AUTH_CLIENT_ID: "svc-discovery",
        CLIENT_KEY: "cc-discovery-CANARY-41d9",
        AUTH_CACHE_DIR: cacheDir,
        ...more,
      },
      { envFile: false, onWarning: recordOutput },
    );
  /** The process-wide manager of each config, as a plain `getAccessToken({ config })` uses. */
  const tokenOf = (config: EnvConfig) => api.getAccessToken({ config });

  h.t.describe("OAuth discovery per config", () => {
    it(
      h,
      "a config with a short timeout that asks while another config discovers the same issuer fails within its own timeout; the other config gets its token",
      async () => {
        await withTempDir(async (dir) => {
          // Each metadata request answered after 3 s: under 300 ms, discovery must time out.
          await withSlowIssuer(3_000, async (issuer) => {
            const patient = configOf(issuer.url, join(dir, "a"), { AUTH_TIMEOUT_MS: "600000" });
            const hasty = configOf(issuer.url, join(dir, "b"), { AUTH_TIMEOUT_MS: "300" });
            const patientToken = tokenOf(patient);
            await sleep(50);
            const started = performance.now();
            const error = await caught(tokenOf(hasty));
            const ms = performance.now() - started;
            recordOutput(error.message);
            assert.equal(error.name, "AuthNetworkError", error.message);
            assert.equal((error as { reason?: string }).reason, "timeout");
            assert.match(error.message, /timed out after 300 ms/);
            assert.ok(ms < 2_000, `failed after ${Math.round(ms)} ms, not within its own 300 ms`);
            assert.equal(await patientToken, TOKEN.access_token);
          });
        });
      },
    );

    it(
      h,
      "two configs of one issuer with different cache dirs each write their own discovery file",
      async () => {
        await withTempDir(async (dir) => {
          await withSlowIssuer(300, async (issuer) => {
            const first = configOf(issuer.url, join(dir, "first"));
            const second = configOf(issuer.url, join(dir, "second"));
            const firstToken = tokenOf(first);
            await sleep(50);
            const secondToken = tokenOf(second);
            assert.equal(await firstToken, TOKEN.access_token);
            assert.equal(await secondToken, TOKEN.access_token);
            for (const cacheDir of [first.cacheDir, second.cacheDir]) {
              const files = await discoveryFiles(cacheDir);
              assert.equal(
                files.length,
                1,
                `one discovery file in ${cacheDir}: ${files.join(", ")}`,
              );
              const stored = JSON.parse(await readFile(join(cacheDir, files[0] ?? ""), "utf8"));
              assert.equal(stored.token_endpoint, `${issuer.url}/token`);
            }
          });
        });
      },
    );
  });
}
