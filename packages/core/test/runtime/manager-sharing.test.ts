/**
 * Which configs share a process-wide token manager, from the config table: configs that share a
 * token and differ only in settings marked per request (AUTH_BASE, AUTH_ALLOWED_ORIGINS) share
 * one, and its token request; a difference in any other setting, including one added to the
 * table later, keeps them apart. What the requests of sharing configs obey is the conformance
 * suite's "config policy".
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CONFIG_VARIABLES,
  type ConfigOptions,
  type EnvConfig,
  managerSettingsText,
} from "../../src/config/config.ts";
import { cacheKey, createConfig, getAccessTokenInfo } from "../fixtures/internal-api.ts";

let issued = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch() {
    issued++;
    const token = `token-${issued}`;
    return Response.json({
      accessToken: token,
      expiresIn: 900,
      access_token: token,
      token_type: "Bearer",
      expires_in: 900,
    });
  },
});
const other = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("{}") });
const root = await mkdtemp(join(tmpdir(), "openclaw-sharing-"));
afterAll(async () => {
  server.stop(true);
  other.stop(true);
  await rm(root, { recursive: true, force: true });
});

const base = (dir: string): ConfigOptions => ({
  authBase: server.url.origin,
  clientKey: "ck-live-CANARY-7f3a9c",
  cacheDir: join(dir, "a"),
  grant: "client_credentials",
  clientId: "svc",
  tokenUrl: `${server.url.origin}/oauth/token`,
});

/** Another valid value of each setting. A setting added to the table fails the first test until it has one. */
const alternates: {
  [K in keyof ConfigOptions]-?: (a: EnvConfig, dir: string) => ConfigOptions[K];
} = {
  authBase: () => other.url.origin,
  clientKey: () => "ck-other-key-2b7d",
  cacheDir: (_a, dir) => join(dir, "b"),
  minTtlSec: () => 120,
  sessionPath: () => "/auth/other-session",
  timeoutMs: () => 2500,
  allowedOrigins: () => [other.url.origin],
  redisUrl: () => "redis://127.0.0.1:1",
  maxTtlSec: () => 300,
  debug: (a) => !a.debug,
  grant: () => "session",
  tokenUrl: () => `${server.url.origin}/oauth/other-token`,
  issuer: () => `${server.url.origin}/issuer`,
  clientId: () => "svc-2",
  clientAuth: () => "client_secret_post",
  scope: () => "read",
  audience: () => "https://aud.example.com",
  resource: () => "https://api.example.com/r2",
};

// Turning the debug lines on lasts for the process: that setting goes last.
const variables = [...CONFIG_VARIABLES].sort(
  (x, y) => Number(x.field === "debug") - Number(y.field === "debug"),
);

describe("configs that differ in one setting of the table", () => {
  test("every setting of the table is covered here", () => {
    expect(Object.keys(alternates).sort()).toEqual(CONFIG_VARIABLES.map((v) => v.field).sort());
  });

  test("only AUTH_BASE and AUTH_ALLOWED_ORIGINS are per request", () => {
    expect(CONFIG_VARIABLES.filter((v) => v.perRequest).map((v) => v.name)).toEqual([
      "AUTH_BASE",
      "AUTH_ALLOWED_ORIGINS",
    ]);
  });

  test("the manager's identity text changes with every setting not per request", () => {
    const a = createConfig(base(root));
    for (const { field, perRequest } of CONFIG_VARIABLES) {
      // Any value at all, even one no rule allows: the identity covers what the config holds.
      const changed = { ...a, [field]: { changed: field } } as unknown as EnvConfig;
      const differs = managerSettingsText(changed) !== managerSettingsText(a);
      expect({ field, differs }).toEqual({ field, differs: !perRequest });
    }
  });

  test.each(variables.map((v) => [v.name, v] as const))(
    "%s: shares the other config's manager (its token from memory) only when per request, with the same token",
    async (_name, { field, perRequest }) => {
      const dir = await mkdtemp(join(root, "case-"));
      const a = createConfig(base(dir));
      const b = createConfig({ ...base(dir), [field]: alternates[field](a, dir) });
      expect(b[field]).not.toEqual(a[field]);
      const first = await getAccessTokenInfo({ config: a });
      expect(first.source).toBe("network");
      const second = await getAccessTokenInfo({ config: b });
      const shares = perRequest && cacheKey(a) === cacheKey(b);
      expect({ field, source: second.source === "memory" ? "shared" : "own" }).toEqual({
        field,
        source: shares ? "shared" : "own",
      });
      if (shares) expect(second.accessToken).toBe(first.accessToken);
    },
  );
});
