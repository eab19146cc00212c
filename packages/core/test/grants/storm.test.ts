/** Cross-process single flight for the client_credentials grant: a cold storm asks the authorization server once. */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { baseEnv, cleanup, describeRuns, storm, tempDir } from "../cross-process/storm.ts";
import { REDIS_SERVER, startRedis, stopAllRedis } from "../redis/redis-server.ts";
import { type RunningProvider, startProvider } from "./oidc-provider.ts";

let provider: RunningProvider | undefined;
afterEach(async () => {
  await provider?.stop();
  provider = undefined;
  await stopAllRedis();
  await cleanup();
});

test("32 processes cold on a client_credentials config, token endpoint slow by 500 ms: one token request, one token for all", async () => {
  const secret = "storm-secret-0123456789";
  provider = await startProvider(
    [
      {
        client_id: "svc-storm",
        client_secret: secret,
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    { TOKEN_LATENCY_MS: "500" },
  );
  const cacheDir = join(await tempDir(), "cache");
  const runs = await storm({
    count: 32,
    env: {
      ...baseEnv(),
      AUTH_BASE: provider.issuer,
      AUTH_CACHE_DIR: cacheDir,
      AUTH_GRANT: "client_credentials",
      AUTH_TOKEN_URL: "/token",
      AUTH_CLIENT_ID: "svc-storm",
      AUTH_CLIENT_AUTH: "client_secret_post",
      CLIENT_KEY: secret,
    },
    timeoutMs: 60_000,
  });
  const tokens = new Set(runs.map((run) => run.line?.token));
  expect(describeRuns(runs.filter((run) => run.code !== 0))).toBe("");
  expect(tokens.size).toBe(1);
  expect(await provider.tokenRequests()).toBe(1);
}, 120_000);

test.skipIf(!REDIS_SERVER)(
  "three machines (own cache dirs) of 8 processes each on one Redis, cold on a client_credentials config: one token request for the fleet",
  async () => {
    const secret = "fleet-secret-0123456789";
    provider = await startProvider(
      [
        {
          client_id: "svc-fleet",
          client_secret: secret,
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      { TOKEN_LATENCY_MS: "500" },
    );
    const redis = await startRedis();
    const root = await tempDir();
    const issuer = provider.issuer;
    const runs = await storm({
      count: 24,
      env: (index) => ({
        ...baseEnv(),
        AUTH_BASE: issuer,
        AUTH_CACHE_DIR: join(root, `machine-${index % 3}`),
        AUTH_REDIS_URL: redis.url,
        AUTH_GRANT: "client_credentials",
        AUTH_TOKEN_URL: "/token",
        AUTH_CLIENT_ID: "svc-fleet",
        CLIENT_KEY: secret,
      }),
      timeoutMs: 60_000,
    });
    expect(describeRuns(runs.filter((run) => run.code !== 0))).toBe("");
    expect(new Set(runs.map((run) => run.line?.token)).size).toBe(1);
    expect(await provider.tokenRequests()).toBe(1);
  },
  120_000,
);
