/**
 * The shared behaviour for the OAuth 2.0 client_credentials grant, against a small scripted
 * authorization server (node:http on 127.0.0.1: RFC 6749 §4.4 with client_secret_basic and
 * client_secret_post, and a protected API route that accepts the tokens it issued).
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { caught, errorTexts, it, recordOutput, withTempDir } from "../support.ts";
import type { Harness } from "../types.ts";

const CLIENT_ID = "svc:conformance";
/** §2.3.1 breaks clients on `:` and `+`; the secret holds both. */
const SECRET = "cc-secret:CANARY+4d1e/9b";

interface AuthServer {
  readonly url: string;
  /** Token requests answered with a token, and refused. */
  tokens: number;
  refusals: number;
  /** Requests that carried a bearer token, to any route. */
  bearerSeen: number;
  /** Delay of each token response. */
  latencyMs: number;
  /** Answers of the next token requests (e.g. a 503), before tokens are issued again. */
  failNext: { status: number; headers?: Record<string, string> }[];
  /** Forgets every issued token: the API route then refuses them (401). */
  revokeAll(): void;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk: Uint8Array) => {
      body += new TextDecoder().decode(chunk);
    });
    request.on("end", () => resolve(body));
  });
}

/** The client's id and secret, from Basic (form-decoded after base64, §2.3.1) or the form. */
function credentials(request: IncomingMessage, form: URLSearchParams): [string, string] {
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "");
  if (basic?.[1]) {
    const [id = "", secret = ""] = atob(basic[1]).split(":");
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
    return [decode(id), decode(secret)];
  }
  return [form.get("client_id") ?? "", form.get("client_secret") ?? ""];
}

async function startAuthServer(): Promise<AuthServer> {
  const issued = new Set<string>();
  let serial = 0;
  const send = (response: ServerResponse, status: number, body: unknown, headers = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (/^Bearer /i.test(request.headers.authorization ?? "")) auth.bearerSeen++;
    if (request.url === "/api/echo") {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
      if (token && issued.has(token)) return send(response, 200, { ok: true });
      return send(response, 401, { error: "invalid_token" });
    }
    if (request.method !== "POST" || request.url !== "/oauth/token") {
      return send(response, 404, { error: "not_found" });
    }
    const form = new URLSearchParams(body);
    const [id, secret] = credentials(request, form);
    if (form.get("grant_type") !== "client_credentials") {
      auth.refusals++;
      return send(response, 400, { error: "unsupported_grant_type" });
    }
    if (id !== CLIENT_ID || secret !== SECRET) {
      auth.refusals++;
      // A careless server echoes what it got: the runtime must not pass it on.
      return send(response, 401, {
        error: "invalid_client",
        error_description: `client authentication failed for ${id}:${secret}`,
      });
    }
    const failure = auth.failNext.shift();
    if (failure) return send(response, failure.status, {}, failure.headers);
    auth.tokens++;
    const token = `cc-token-${++serial}-${Math.random().toString(36).slice(2)}`;
    issued.add(token);
    const answer = () =>
      send(response, 200, { access_token: token, token_type: "bearer", expires_in: "600" });
    if (auth.latencyMs > 0) setTimeout(answer, auth.latencyMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const auth: AuthServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokens: 0,
    refusals: 0,
    bearerSeen: 0,
    latencyMs: 0,
    failNext: [],
    revokeAll: () => issued.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return auth;
}

interface CcFixture {
  readonly auth: AuthServer;
  readonly env: Record<string, string>;
  readonly config: ReturnType<Harness["api"]["createEnvConfig"]>;
}

async function withAuthServer(
  h: Harness,
  extra: Record<string, string>,
  fn: (f: CcFixture) => Promise<void>,
): Promise<void> {
  const auth = await startAuthServer();
  try {
    await withTempDir(async (root) => {
      const env = {
        AUTH_BASE: auth.url,
        AUTH_CACHE_DIR: join(root, "cache"),
        AUTH_GRANT: "client_credentials",
        AUTH_TOKEN_URL: "/oauth/token",
        AUTH_CLIENT_ID: CLIENT_ID,
        CLIENT_KEY: SECRET,
        ...extra,
      };
      await fn({ auth, env, config: h.api.createEnvConfig(env, { envFile: false }) });
    });
  } finally {
    await auth.stop();
  }
}

export function clientCredentialsSuite(h: Harness): void {
  h.t.describe("client_credentials grant", () => {
    for (const method of ["client_secret_basic", "client_secret_post"]) {
      it(
        h,
        `${method}: a token from the network, then memory, then another process reads the cache file`,
        async () => {
          await withAuthServer(h, { AUTH_CLIENT_AUTH: method }, async ({ auth, env, config }) => {
            const first = await h.api.getAccessTokenInfo({ config });
            const second = await h.api.getAccessTokenInfo({ config });
            assert.equal(first.source, "network");
            assert.deepEqual(second, { ...first, source: "memory" });
            const [run] = await h.runClients(1, ["token"], env);
            assert.deepEqual(JSON.parse(run?.stdout ?? "{}"), {
              token: first.accessToken,
              source: "cache",
            });
            assert.equal(auth.tokens, 1);
          });
        },
      );
    }

    it(h, "concurrent callers in one process share one token request", async () => {
      await withAuthServer(h, {}, async ({ auth, config }) => {
        auth.latencyMs = 200;
        const tokens = await Promise.all(
          Array.from({ length: 10 }, () => h.api.getAccessToken({ config })),
        );
        assert.equal(new Set(tokens).size, 1);
        assert.equal(auth.tokens, 1);
      });
    });

    it(
      h,
      "8 processes cold share one token request",
      async () => {
        await withAuthServer(h, {}, async ({ auth, env }) => {
          auth.latencyMs = 300;
          const runs = await h.runClients(8, ["token"], env);
          const tokens = new Set(runs.map((run) => JSON.parse(run.stdout || "{}").token));
          assert.deepEqual(
            runs.map((run) => run.code),
            Array(8).fill(0),
          );
          assert.equal(tokens.size, 1);
          assert.equal(auth.tokens, 1);
        });
      },
      60_000,
    );

    it(h, "a 503 with Retry-After is retried, then the token comes", async () => {
      await withAuthServer(h, {}, async ({ auth, config }) => {
        auth.failNext.push({ status: 503, headers: { "retry-after": "0" } });
        const info = await h.api.getAccessTokenInfo({ config });
        assert.equal(info.source, "network");
        assert.equal(auth.tokens, 1);
      });
    });

    it(h, "an API refusal refreshes the token and resends the request once", async () => {
      await withAuthServer(h, {}, async ({ auth, config }) => {
        await h.api.getAccessToken({ config });
        auth.revokeAll();
        const response = await h.api.requestApiWithAutoRefresh({ config, url: "/api/echo" });
        assert.equal(response.status, 200);
        assert.equal(auth.tokens, 2);
      });
    });

    it(
      h,
      "a refused secret is an AuthSessionError carrying invalid_client; no text of it holds the secret",
      async () => {
        await withAuthServer(
          h,
          { CLIENT_KEY: "wrong-secret:CANARY+x" },
          async ({ auth, config }) => {
            const error = await caught(h.api.getAccessTokenInfo({ config }));
            recordOutput(errorTexts(error).join("\n"));
            assert.equal(error.name, "AuthSessionError");
            assert.equal((error as { oauthError?: string }).oauthError, "invalid_client");
            assert.match(error.message, /invalid_client/);
            for (const text of errorTexts(error)) assert.ok(!text.includes("wrong-secret"), text);
            assert.equal(auth.refusals, 1);
          },
        );
      },
    );

    it(h, "the access token never goes to a token endpoint on another origin", async () => {
      const api = await startAuthServer();
      try {
        await withAuthServer(h, {}, async ({ auth, env }) => {
          // The token endpoint is `auth`; the API (authBase) is another server.
          const config = h.api.createEnvConfig(
            { ...env, AUTH_BASE: api.url, AUTH_TOKEN_URL: `${auth.url}/oauth/token` },
            { envFile: false },
          );
          await h.api.getAccessToken({ config });
          const error = await caught(
            h.api.requestApiWithAutoRefresh({ config, url: `${auth.url}/api/echo` }),
          );
          assert.equal(error.name, "ApiError");
          assert.equal((error as { reason?: string }).reason, "refused");
          assert.equal(auth.tokens, 1);
          assert.equal(auth.bearerSeen, 0);
        });
      } finally {
        await api.stop();
      }
    });

    it(h, "dry run asks nothing of the token endpoint", async () => {
      await withAuthServer(h, {}, async ({ auth, config }) => {
        const token = await h.api.getAccessToken({ config, dryRun: true });
        assert.ok(token.length > 0);
        assert.equal(auth.tokens + auth.refusals, 0);
      });
    });
  });
}
