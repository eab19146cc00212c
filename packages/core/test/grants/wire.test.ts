/**
 * The client_credentials wire contract against a scripted token endpoint (node:http on
 * 127.0.0.1): what is sent for each client authentication, how §5.1 answers and §5.2 errors
 * read, what a hostile endpoint cannot do, the configuration rules and the cache key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createPublicKey, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { forgetDiscoveredEndpoints } from "../../src/grants/discovery.ts";
import { type RetryInfo, requestAccessToken } from "../../src/grants/token-request.ts";
import { cacheKeyForConfig } from "../../src/token/cache-key.ts";
import {
  AuthSessionError,
  bunPlatform,
  ConfigError,
  type ConfigOptions,
  createConfig,
  createEnvConfig,
  DEFAULT_RETRY_POLICY,
  redactSecrets,
} from "../fixtures/internal-api.ts";
import { clientKeyPair } from "./oidc-provider.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;
let handler: Handler = (_seen, res) => res.end();
const seen: Seen[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
afterEach(() => {
  seen.length = 0;
  forgetDiscoveredEndpoints();
});

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const ok: Handler = (_seen, res) =>
  json(res, 200, { access_token: "tok-123", token_type: "Bearer", expires_in: 600 });

const SECRET = "se:cr+et/with%odd and=chars";

function cc(options: Partial<ConfigOptions> = {}) {
  return createConfig({
    authBase: base,
    clientKey: SECRET,
    grant: "client_credentials",
    clientId: "svc:id",
    tokenUrl: "/oauth/token",
    ...options,
  });
}

/** A client_credentials config that discovers its token endpoint from `issuer`. */
function ccIssuer(issuer: string) {
  return createConfig({
    authBase: base,
    clientKey: SECRET,
    grant: "client_credentials",
    clientId: "svc:id",
    issuer,
  });
}

function request(config: ReturnType<typeof cc>, onRetry?: (info: RetryInfo) => void) {
  return requestAccessToken({
    config,
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 },
    fetch: (input, init) => fetch(input, init),
    signal: new AbortController().signal,
    ...(onRetry ? { onRetry } : {}),
  });
}

describe("what the token request sends", () => {
  test("client_secret_basic: Basic base64(form(id) ':' form(secret)), the form holds grant_type, scope, audience and resource, and no secret", async () => {
    handler = ok;
    await request(
      cc({
        scope: "read write",
        audience: "https://api.example",
        resource: "https://api.example/v1",
      }),
    );
    const [req] = seen;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/oauth/token");
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const credentials = atob((req?.headers.authorization ?? "").replace(/^Basic /, ""));
    expect(credentials).toBe("svc%3Aid:se%3Acr%2Bet%2Fwith%25odd+and%3Dchars");
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      grant_type: "client_credentials",
      scope: "read write",
      audience: "https://api.example",
      resource: "https://api.example/v1",
    });
  });

  test("client_secret_post: client_id and client_secret in the form, no Authorization header", async () => {
    handler = ok;
    await request(cc({ clientAuth: "client_secret_post" }));
    const [req] = seen;
    expect(req?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      grant_type: "client_credentials",
      client_id: "svc:id",
      client_secret: SECRET,
    });
  });

  test.each([
    ["rsa", "RS256", "RSA-SHA256"],
    ["ec", "ES256", "SHA256"],
  ] as const)(
    "private_key_jwt with an %s key: a %s assertion, iss = sub = client id, aud = the token endpoint, a fresh jti per attempt, exp at most 5 minutes ahead",
    async (type, alg, verifyAlg) => {
      const pair = clientKeyPair(type);
      let calls = 0;
      handler = (s, res) => (++calls === 1 ? json(res, 503, {}) : ok(s, res));
      await request(cc({ clientKey: pair.pem, clientAuth: "private_key_jwt" }));
      const forms = seen.map((s) => new URLSearchParams(s.body));
      expect(forms).toHaveLength(2);
      const jtis = new Set<unknown>();
      for (const form of forms) {
        expect(form.get("client_assertion_type")).toBe(
          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        );
        expect(form.get("client_id")).toBe("svc:id");
        const [h = "", p = "", s = ""] = (form.get("client_assertion") ?? "").split(".");
        const header = JSON.parse(Buffer.from(h, "base64url").toString());
        const claims = JSON.parse(Buffer.from(p, "base64url").toString());
        expect(header.alg).toBe(alg);
        expect(claims).toMatchObject({ iss: "svc:id", sub: "svc:id", aud: `${base}/oauth/token` });
        expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
        expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
        jtis.add(claims.jti);
        const key = createPublicKey({ key: pair.jwk, format: "jwk" });
        const valid = verify(
          verifyAlg,
          Buffer.from(`${h}.${p}`),
          type === "ec" ? { key, dsaEncoding: "ieee-p1363" } : key,
          Buffer.from(s, "base64url"),
        );
        expect(valid).toBe(true);
      }
      expect(jtis.size).toBe(2);
    },
  );
});

describe("how the answer reads", () => {
  test("token_type in any case and expires_in as a numeric string (RFC 6749 §5.1)", async () => {
    handler = (_s, res) =>
      json(res, 200, { access_token: "tok-abc", token_type: "bearer", expires_in: "3600" });
    const token = await request(cc());
    expect(token.accessToken).toBe("tok-abc");
    expect(token.expiresIn).toBe(3600);
  });

  test("a token_type other than Bearer is refused: the token would be sent the wrong way", async () => {
    handler = (_s, res) =>
      json(res, 200, { access_token: "tok-abc", token_type: "DPoP", expires_in: 60 });
    const error = await request(cc()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthSessionError);
    expect((error as Error).message).toContain("the token_type is not Bearer");
  });

  test("a camelCase accessToken is no §5.1 answer for this grant", async () => {
    handler = (_s, res) => json(res, 200, { accessToken: "tok-abc", token_type: "Bearer" });
    await expect(request(cc())).rejects.toThrow("Missing accessToken in the OAuth token response");
  });

  test("a §5.2 error is an AuthSessionError carrying its code; a description echoing the secret, raw or as Basic credentials, is redacted", async () => {
    handler = (s, res) =>
      json(res, 400, {
        error: "invalid_scope",
        error_description: `bad scope for ${SECRET} sent as ${s.headers.authorization}`,
      });
    const error = (await request(cc()).catch((e: unknown) => e)) as AuthSessionError;
    expect(error).toBeInstanceOf(AuthSessionError);
    expect(error.oauthError).toBe("invalid_scope");
    expect(error.status).toBe(400);
    expect(error.message).toStartWith(
      `OAuth token request failed (HTTP 400, POST ${base}/oauth/token): invalid_scope: bad scope for [redacted]`,
    );
    expect(redactSecrets(error.message, [SECRET])).toBe(error.message);
    expect(error.message).not.toContain(seen[0]?.headers.authorization?.slice(6) ?? "none");
  });

  test("an echo of a private key, whole or one PEM line of it, is redacted", async () => {
    const pair = clientKeyPair("ec");
    const line = pair.pem.split("\n")[1] ?? "";
    handler = (_s, res) =>
      json(res, 401, {
        error: "invalid_client",
        error_description: `key ${pair.pem} line ${line}`,
      });
    const error = (await request(cc({ clientKey: pair.pem, clientAuth: "private_key_jwt" })).catch(
      (e: unknown) => e,
    )) as AuthSessionError;
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).not.toContain(line);
    expect(error.message).not.toContain("BEGIN PRIVATE KEY-----\nMI");
  });

  test("a redirect is not followed: the credentials never reach its target", async () => {
    handler = (s, res) => {
      if (s.url === "/elsewhere") return ok(s, res);
      res.writeHead(307, { location: `${base}/elsewhere` });
      res.end();
    };
    const error = await request(cc()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthSessionError);
    expect((error as Error).message).toContain("the client credentials were not sent there");
    expect(seen.map((s) => s.url)).toEqual(["/oauth/token"]);
  });

  test("onRetry is told each retry before its wait: the reason, the status and the attempt", async () => {
    let calls = 0;
    handler = (s, res) => (++calls < 3 ? json(res, calls === 1 ? 503 : 429, {}) : ok(s, res));
    const retries: RetryInfo[] = [];
    await request(cc(), (info) => retries.push(info));
    expect(retries.map(({ reason, status, attempt }) => ({ reason, status, attempt }))).toEqual([
      { reason: "status", status: 503, attempt: 1 },
      { reason: "status", status: 429, attempt: 2 },
    ]);
  });
});

describe("discovery", () => {
  test("RFC 8414's document first, its issuer checked, its token endpoint used", async () => {
    handler = (s, res) => {
      if (s.url === "/.well-known/oauth-authorization-server/tenant") {
        return json(res, 200, { issuer: `${base}/tenant`, token_endpoint: `${base}/t/token` });
      }
      return ok(s, res);
    };
    await request(ccIssuer(`${base}/tenant`));
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /.well-known/oauth-authorization-server/tenant",
      "POST /t/token",
    ]);
  });

  test("a document naming another issuer is not used; a redirect of discovery is not followed", async () => {
    handler = (s, res) => {
      if (s.url.startsWith("/.well-known/oauth-authorization-server")) {
        return json(res, 200, { issuer: "https://evil.example", token_endpoint: `${base}/evil` });
      }
      res.writeHead(302, { location: `${base}/evil-doc` });
      res.end();
    };
    const error = await request(ccIssuer(base)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthSessionError);
    expect((error as Error).message).toContain("OAuth discovery found no token endpoint");
    expect(seen.map((s) => s.url)).toEqual([
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
    ]);
  });
});

describe("configuration", () => {
  const env = { CLIENT_KEY: SECRET, AUTH_BASE: "https://api.example.com" };
  const configError = (extra: Record<string, string>) => {
    try {
      createEnvConfig({ ...env, ...extra }, { envFile: false });
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error("no ConfigError");
  };

  test("the session grant is the default and client_secret_basic the default client authentication", () => {
    const config = createEnvConfig(env, { envFile: false });
    expect(config.grant).toBe("session");
    expect(config.clientAuth).toBe("client_secret_basic");
  });

  test.each([
    [{ AUTH_GRANT: "password" }, "AUTH_GRANT must be one of session, client_credentials"],
    [
      { AUTH_GRANT: "client_credentials", AUTH_TOKEN_URL: "/t" },
      "AUTH_CLIENT_ID is required when AUTH_GRANT is client_credentials",
    ],
    [
      { AUTH_GRANT: "client_credentials", AUTH_CLIENT_ID: "a" },
      "AUTH_TOKEN_URL or AUTH_ISSUER is required when AUTH_GRANT is client_credentials",
    ],
    [
      { AUTH_TOKEN_URL: "http://idp.example.com/token" },
      "AUTH_TOKEN_URL must use https (plain http is allowed only for loopback hosts)",
    ],
    [
      { AUTH_TOKEN_URL: "//idp.example.com/token" },
      "AUTH_TOKEN_URL must be an absolute http(s) URL or a path starting with a single '/'",
    ],
    [
      { AUTH_ISSUER: "https://idp.example.com/?x=1" },
      "AUTH_ISSUER must not have a query string or fragment",
    ],
    [{ AUTH_RESOURCE: "api" }, "AUTH_RESOURCE must be an absolute http(s) URL (RFC 8707)"],
    [
      {
        AUTH_GRANT: "client_credentials",
        AUTH_CLIENT_ID: "a",
        AUTH_TOKEN_URL: "/t",
        AUTH_CLIENT_AUTH: "private_key_jwt",
      },
      'CLIENT_KEY must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----") when AUTH_CLIENT_AUTH is private_key_jwt',
    ],
  ])("%o is a ConfigError: %s (never the value)", (extra, message) => {
    const error = configError(extra);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain(SECRET);
  });
});

describe("the cache key", () => {
  const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

  test("client_credentials: SHA-256 over tokenEndpoint, clientId, clientKey, scope, audience, resource (a path resolved on authBase, unset ones empty)", () => {
    const config = cc({ scope: "read" });
    expect(cacheKeyForConfig(bunPlatform, config)).toBe(
      sha(`${base}/oauth/token\nsvc:id\n${SECRET}\nread\n\n`),
    );
    const discovered = ccIssuer(base);
    expect(cacheKeyForConfig(bunPlatform, discovered, "https://idp.example/token")).toBe(
      sha(`https://idp.example/token\nsvc:id\n${SECRET}\n\n\n`),
    );
    // Before discovery, the issuer stands in for the endpoint: a key per issuer all the same.
    expect(cacheKeyForConfig(bunPlatform, discovered)).toBe(
      sha(`${base}\nsvc:id\n${SECRET}\n\n\n`),
    );
  });

  test("another scope, audience, resource or secret is another key; the session grant's key is unchanged", () => {
    const keys = new Set(
      [
        cc(),
        cc({ scope: "a" }),
        cc({ audience: "https://a.example" }),
        cc({ resource: "https://a.example" }),
        cc({ clientKey: `${SECRET}2` }),
      ].map((config) => cacheKeyForConfig(bunPlatform, config)),
    );
    expect(keys.size).toBe(5);
    const session = createConfig({ authBase: base, clientKey: SECRET });
    expect(cacheKeyForConfig(bunPlatform, session)).toBe(sha(`${base}\n${SECRET}`));
  });
});
