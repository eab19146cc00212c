/**
 * A request obeys the config that made it: two configs that share a token (and so, in one
 * process, a token manager and its token request) still each send their requests to their own
 * AUTH_BASE, under their own AUTH_ALLOWED_ORIGINS, timeout and every other setting.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import type { ConfigOptions, EnvConfig } from "@openclaw/auth-runtime";
import { CLIENT_KEY, caught, it, sleep, withTempDir } from "../support.ts";
import type { Harness } from "../types.ts";

/** What a policy server saw of one request. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

interface PolicyServer {
  /** "http://127.0.0.1:<port>". */
  readonly url: string;
  readonly seen: Seen[];
  /** The tokens it issued, in order. */
  readonly issued: string[];
  stop(): Promise<void>;
}

/** How long a request to a path holding `slow` takes to answer. */
const SLOW_MS = 1000;
/** Lifetime of every token the servers issue. */
const TOKEN_LIFETIME_SEC = 900;

/**
 * A gateway, token endpoint and API in one, on loopback: a POST under `/auth/` or `/oauth/` is
 * a token request (answered for the session grant and OAuth alike, each token named after the
 * server); a path holding `slow` answers after {@link SLOW_MS}; anything else is `{"ok":true}`.
 */
async function startPolicyServer(name: string): Promise<PolicyServer> {
  const seen: Seen[] = [];
  const issued: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const path = req.url ?? "/";
    seen.push({
      method: req.method ?? "GET",
      path,
      authorization: req.headers.authorization,
      body: new TextDecoder().decode(await new Blob(chunks).arrayBuffer()),
    });
    if (path.includes("slow")) await sleep(SLOW_MS);
    let body: unknown = { ok: true };
    if (req.method === "POST" && (path.startsWith("/auth/") || path.startsWith("/oauth/"))) {
      const token = `${name}-token-${issued.length + 1}`;
      issued.push(token);
      body = {
        accessToken: token,
        expiresIn: TOKEN_LIFETIME_SEC,
        access_token: token,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SEC,
      };
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    issued,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` with `count` policy servers named a, b, c, …, stopped afterwards. */
async function withPolicyServers(
  count: number,
  fn: (servers: PolicyServer[]) => Promise<void>,
): Promise<void> {
  const servers: PolicyServer[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startPolicyServer("abcdefgh"[i] ?? "z"));
    await fn(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

const paths = (server: PolicyServer) => server.seen.map((request) => request.path);

export function configPolicySuite(h: Harness): void {
  const { api } = h;
  const env = (more: Record<string, string>) => api.createEnvConfig(more, { envFile: false });

  h.t.describe("config policy: a request obeys the config that made it", () => {
    it(
      h,
      "same CLIENT_KEY, different AUTH_BASE: each config's request, body and token go to its own base",
      async () => {
        await withPolicyServers(2, async ([gatewayA, gatewayB]) => {
          assert.ok(gatewayA && gatewayB);
          await withTempDir(async (dir) => {
            const shared = { CLIENT_KEY, AUTH_CACHE_DIR: dir };
            const configA = env({ ...shared, AUTH_BASE: gatewayA.url });
            const configB = env({ ...shared, AUTH_BASE: gatewayB.url });
            for (const [config, body] of [
              [configA, { from: "a" }],
              [configB, { from: "b" }],
            ] as const) {
              const response = await api.requestApiWithAutoRefresh({
                config,
                method: "POST",
                url: `/api/${body.from}`,
                body,
              });
              assert.equal(response.status, 200);
            }
            assert.deepEqual(paths(gatewayA), ["/auth/session", "/api/a"]);
            assert.deepEqual(paths(gatewayB), ["/auth/session", "/api/b"]);
            const sentToB = gatewayB.seen[1];
            assert.equal(sentToB?.body, JSON.stringify({ from: "b" }));
            assert.equal(sentToB?.authorization, `Bearer ${gatewayB.issued[0]}`);
            assert.ok(
              gatewayA.seen.every((request) => request.authorization !== sentToB?.authorization),
              "config B's token never reached config A's base",
            );
          });
        });
      },
    );

    it(
      h,
      "same CLIENT_KEY and AUTH_BASE, different AUTH_ALLOWED_ORIGINS: each request is checked against its own config's list",
      async () => {
        await withPolicyServers(3, async ([gateway, onlyA, onlyB]) => {
          assert.ok(gateway && onlyA && onlyB);
          await withTempDir(async (dir) => {
            const shared = { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: dir };
            const configA = env({ ...shared, AUTH_ALLOWED_ORIGINS: onlyA.url });
            const configB = env({ ...shared, AUTH_ALLOWED_ORIGINS: onlyB.url });
            const send = (config: EnvConfig, target: PolicyServer) =>
              api.requestApiWithAutoRefresh({
                config,
                method: "POST",
                url: `${target.url}/collect`,
                body: { secret: "payload" },
              });

            assert.equal((await send(configA, onlyA)).status, 200);
            // B's own list does not name A's origin: refused before anything is sent.
            const refusedB = await caught(send(configB, onlyA));
            assert.ok(refusedB instanceof api.ApiError, String(refusedB));
            assert.match(refusedB.message, /^Refusing to send the token/);
            assert.equal((await send(configB, onlyB)).status, 200);
            const refusedA = await caught(send(configA, onlyB));
            assert.match(refusedA.message, /^Refusing to send the token/);

            assert.equal(onlyA.seen.length, 1, "only config A's request reached A's origin");
            assert.equal(onlyB.seen.length, 1, "only config B's request reached B's origin");
            // The two configs share one token: one token request, the token in both places.
            assert.deepEqual(paths(gateway), ["/auth/session"]);
            const bearer = `Bearer ${gateway.issued[0]}`;
            assert.equal(onlyA.seen[0]?.authorization, bearer);
            assert.equal(onlyB.seen[0]?.authorization, bearer);
          });
        });
      },
    );

    it(
      h,
      "same OAuth client, different AUTH_BASE: one token request, and each config's requests go to its own base",
      async () => {
        await withPolicyServers(3, async ([issuer, apiA, apiB]) => {
          assert.ok(issuer && apiA && apiB);
          await withTempDir(async (dir) => {
            const shared = {
              AUTH_GRANT: "client_credentials",
              AUTH_TOKEN_URL: `${issuer.url}/oauth/token`,
              AUTH_CLIENT_ID: "svc",
              CLIENT_KEY,
              AUTH_CACHE_DIR: dir,
            };
            const configA = env({ ...shared, AUTH_BASE: apiA.url });
            const configB = env({ ...shared, AUTH_BASE: apiB.url });
            // Concurrent cold calls: the shared token request serves both.
            const [responseA, responseB] = await Promise.all([
              api.requestApiWithAutoRefresh({ config: configA, url: "/api/a" }),
              api.requestApiWithAutoRefresh({
                config: configB,
                method: "PUT",
                url: "/api/b",
                body: { from: "b" },
              }),
            ]);
            assert.equal(responseA.status, 200);
            assert.equal(responseB.status, 200);
            assert.equal(responseB.url, `${apiB.url}/api/b`);
            assert.deepEqual(paths(issuer), ["/oauth/token"]);
            assert.deepEqual(paths(apiA), ["/api/a"]);
            assert.deepEqual(paths(apiB), ["/api/b"]);
            const bearer = `Bearer ${issuer.issued[0]}`;
            assert.equal(apiB.seen[0]?.authorization, bearer);
            assert.equal(apiB.seen[0]?.body, JSON.stringify({ from: "b" }));
            assert.equal(apiA.seen[0]?.authorization, bearer);
          });
        });
      },
    );

    it(
      h,
      "a tokenManager passed with a config: the request obeys the config; a manager of another token is refused before anything is sent",
      async () => {
        await withPolicyServers(3, async ([gatewayA, gatewayB, origin]) => {
          assert.ok(gatewayA && gatewayB && origin);
          await withTempDir(async (dir) => {
            const shared = { CLIENT_KEY, AUTH_CACHE_DIR: dir };
            const configA = env({ ...shared, AUTH_BASE: gatewayA.url });
            const tokenManager = api.createTokenManager({ config: configA, store: null });
            // The same token, one more origin allowed: the config's list decides.
            const wider = env({
              ...shared,
              AUTH_BASE: gatewayA.url,
              AUTH_ALLOWED_ORIGINS: origin.url,
            });
            const response = await api.requestApiWithAutoRefresh({
              config: wider,
              tokenManager,
              url: `${origin.url}/collect`,
            });
            assert.equal(response.status, 200);
            assert.equal(origin.seen[0]?.authorization, `Bearer ${gatewayA.issued[0]}`);

            // Another AUTH_BASE is another token: the manager's token must not go there, nor
            // the request to the manager's base.
            const configB = env({ ...shared, AUTH_BASE: gatewayB.url });
            const error = await caught(
              api.requestApiWithAutoRefresh({
                config: configB,
                tokenManager,
                method: "POST",
                url: "/api/b",
                body: { from: "b" },
              }),
            );
            assert.ok(error instanceof TypeError, String(error));
            assert.match(error.message, /tokenManager/);
            assert.deepEqual(paths(gatewayB), []);
            assert.deepEqual(paths(gatewayA), ["/auth/session"]);
          });
        });
      },
    );

    it(
      h,
      "two configs sharing a token request or a refresh: the first caller aborting does not cancel the second's token",
      async () => {
        await withPolicyServers(1, async ([gateway]) => {
          assert.ok(gateway);
          await withTempDir(async (dir) => {
            const shared = {
              AUTH_GRANT: "client_credentials",
              AUTH_TOKEN_URL: `${gateway.url}/oauth/slow-token`,
              AUTH_CLIENT_ID: "svc",
              CLIENT_KEY,
              AUTH_CACHE_DIR: dir,
            };
            const configA = env({ ...shared, AUTH_BASE: gateway.url });
            const configB = env({ ...shared, AUTH_BASE: "http://localhost:9" });
            const quitter = new AbortController();
            const gone = api.getAccessToken({ config: configA, signal: quitter.signal });
            const staying = api.getAccessToken({
              config: configB,
              signal: new AbortController().signal,
            });
            while (gateway.seen.length === 0) await sleep(5);
            quitter.abort();
            const error = await caught(gone);
            assert.match(error.message, /aborted/);
            assert.equal(await staying, gateway.issued[0]);
            assert.equal(gateway.seen.length, 1, "one token request, not cancelled and sent again");

            // The same for a shared refresh of the token the gateway refused.
            const rejectedToken = gateway.issued[0];
            const refreshQuitter = new AbortController();
            const refreshGone = api.refreshAccessToken({
              config: configA,
              rejectedToken,
              signal: refreshQuitter.signal,
            });
            const refreshStaying = api.refreshAccessToken({
              config: configB,
              rejectedToken,
              signal: new AbortController().signal,
            });
            while (gateway.seen.length === 1) await sleep(5);
            refreshQuitter.abort();
            assert.match((await caught(refreshGone)).message, /aborted/);
            assert.equal(await refreshStaying, gateway.issued[1]);
            assert.equal(gateway.seen.length, 2, "one refresh, not cancelled and sent again");
          });
        });
      },
    );

    it(
      h,
      "every setting of the config table: a config that differs in one keeps its own policy, and a separate token when the token's identity differs",
      async () => {
        await withPolicyServers(4, async ([gateway, otherBase, originX, originY]) => {
          assert.ok(gateway && otherBase && originX && originY);
          await everySettingKeepsItsPolicy(h, { gateway, otherBase, originX, originY });
        });
      },
      120_000,
    );
  });
}

interface Servers {
  readonly gateway: PolicyServer;
  readonly otherBase: PolicyServer;
  readonly originX: PolicyServer;
  readonly originY: PolicyServer;
}

/**
 * For each setting of the table (each field of a config) and each grant: config A, then config
 * B differing from A in that setting alone. B's token obeys B's lifetime rules and lands in B's
 * cache; a token of another identity (another cache file name) is another token; B's requests
 * go to B's base, with B's token, under B's allowed origins and B's timeout.
 */
async function everySettingKeepsItsPolicy(h: Harness, servers: Servers): Promise<void> {
  const { api } = h;
  const { gateway, otherBase, originX, originY } = servers;
  const all: PolicyServer[] = [gateway, otherBase, originX, originY];
  const base = (dir: string, grant: "session" | "client_credentials"): ConfigOptions => ({
    authBase: gateway.url,
    clientKey: CLIENT_KEY,
    cacheDir: join(dir, "a"),
    allowedOrigins: [originX.url],
    grant,
    clientId: "svc",
    tokenUrl: `${gateway.url}/oauth/token`,
  });
  // The other value of each setting. Every field of a config must be here: a setting added to
  // the table fails this test until it has one, and from then on is checked like the others.
  const alternates: {
    [K in keyof ConfigOptions]-?: (a: EnvConfig, dir: string) => ConfigOptions[K];
  } = {
    authBase: () => otherBase.url,
    clientKey: () => "ck-other-key-2b7d",
    cacheDir: (_a, dir) => join(dir, "b"),
    minTtlSec: () => 120,
    sessionPath: () => "/auth/other-session",
    timeoutMs: () => 250,
    allowedOrigins: () => [originY.url],
    redisUrl: () => "redis://127.0.0.1:1",
    maxTtlSec: () => 300,
    debug: (a) => !a.debug,
    grant: (a) => (a.grant === "session" ? "client_credentials" : "session"),
    tokenUrl: () => `${gateway.url}/oauth/other-token`,
    issuer: () => `${gateway.url}/issuer`,
    clientId: () => "svc-2",
    clientAuth: () => "client_secret_post",
    scope: () => "read",
    audience: () => "https://aud.example.com",
    resource: () => "https://api.example.com/r2",
  };
  const probe = api.createConfig({ clientKey: CLIENT_KEY });
  // Where each value came from is no setting.
  const fields = Object.keys(probe).filter((key) => key !== "clientKeySource" && key !== "sources");
  assert.deepEqual(
    [...fields].sort(),
    Object.keys(alternates).sort(),
    "every setting of the table has an alternate value in this test",
  );
  // Turning the debug lines on lasts for the process: that setting goes last.
  fields.sort((x, y) => Number(x === "debug") - Number(y === "debug"));

  for (const field of fields as (keyof ConfigOptions)[]) {
    for (const grant of ["session", "client_credentials"] as const) {
      await withTempDir(async (dir) => {
        const what = `${field} (${grant})`;
        const configA = api.createConfig(base(dir, grant));
        const alternate = alternates[field](configA, dir);
        const configB = api.createConfig({ ...base(dir, grant), [field]: alternate });
        assert.notDeepEqual(configB[field], configA[field], `${what}: B differs from A`);

        const a = await api.getAccessTokenInfo({ config: configA });
        await api.requestApiWithAutoRefresh({ config: configA, url: "/api/a" });
        const b = await api.getAccessTokenInfo({ config: configB });

        const sameIdentity =
          basename(api.cacheFilePath(configA)) === basename(api.cacheFilePath(configB));
        if (!sameIdentity) assert.notEqual(b.accessToken, a.accessToken, `${what}: own token`);
        const remainingSec = b.expiresAt - Date.now() / 1000;
        assert.ok(remainingSec <= configB.maxTtlSec + 1, `${what}: B's AUTH_MAX_TTL_SEC`);
        assert.ok(remainingSec > configB.minTtlSec, `${what}: B's AUTH_MIN_TTL_SEC`);
        assert.ok(existsSync(api.cacheFilePath(configB)), `${what}: B's token in B's cache`);

        // B's request: to B's base, with B's token and body, and nowhere else.
        const baseB = all.find((server) => server.url === configB.authBase);
        assert.ok(baseB, `${what}: B's base is one of the test's servers`);
        const body = JSON.stringify({ field, grant });
        const response = await api.requestApiWithAutoRefresh({
          config: configB,
          method: "POST",
          url: "/api/b",
          body: { field, grant },
        });
        assert.equal(response.status, 200, what);
        const sent = all.flatMap((server) =>
          server.seen.filter((seen) => seen.body === body).map((seen) => ({ server, seen })),
        );
        assert.equal(sent.length, 1, `${what}: B's request was sent once`);
        assert.equal(sent[0]?.server, baseB, `${what}: B's request went to B's base`);
        assert.equal(sent[0]?.seen.authorization, `Bearer ${b.accessToken}`, what);

        // B's allowed origins, whatever A allows.
        for (const origin of [originX, originY]) {
          const before = origin.seen.length;
          const call = api.requestApiWithAutoRefresh({ config: configB, url: `${origin.url}/o` });
          if (configB.allowedOrigins.includes(origin.url)) {
            assert.equal((await call).status, 200, `${what}: ${origin.url} allowed for B`);
            assert.equal(origin.seen.length, before + 1);
          } else {
            const error = await caught(call);
            assert.match(error.message, /^Refusing to send the token/, what);
            assert.equal(origin.seen.length, before, `${what}: nothing sent to ${origin.url}`);
          }
        }

        // B's timeout, whatever A's (checked where the two differ around SLOW_MS).
        if (Math.min(configA.timeoutMs, configB.timeoutMs) < SLOW_MS) {
          const slow = api.requestApiWithAutoRefresh({ config: configB, url: "/slow" });
          if (configB.timeoutMs < SLOW_MS) {
            const error = await caught(slow);
            assert.ok(error instanceof api.ApiError && error.reason === "timeout", String(error));
          } else assert.equal((await slow).status, 200, `${what}: B's timeout`);
        }
      });
    }
  }
}
