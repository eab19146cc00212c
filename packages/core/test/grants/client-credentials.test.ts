/**
 * The client_credentials grant against a certified OpenID provider (panva's oidc-provider, run
 * under Node on 127.0.0.1): each client authentication method, discovery, refusals, resource
 * indicators and a JWT access token used on a protected route.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AuthSessionError,
  type ConfigOptions,
  createConfig,
  getAccessTokenInfo,
  redactSecrets,
  requestApiWithAutoRefresh,
} from "../fixtures/internal-api.ts";
import { clientKeyPair, jwtClaims, type RunningProvider, startProvider } from "./oidc-provider.ts";

const CLI = fileURLToPath(new URL("../../../../apps/cli/src/main.ts", import.meta.url));
const EXAMPLE = fileURLToPath(
  new URL("../../../../apps/examples/client-credentials.ts", import.meta.url),
);
// §2.3.1's form-encoding before base64 is where clients break: `:` `+` `/` `%` and a space.
const BASIC_SECRET = "b4sic:s3cret+with/odd%chars and=more";
const POST_SECRET = "p0st-secret-0123456789abcdef";
const RESOURCE = "https://api.example.test/";
const rsa = clientKeyPair("rsa");
const ec = clientKeyPair("ec");

let provider: RunningProvider;
const dirs: string[] = [];

beforeAll(async () => {
  provider = await startProvider(
    [
      {
        client_id: "svc:basic",
        client_secret: BASIC_SECRET,
        token_endpoint_auth_method: "client_secret_basic",
      },
      {
        client_id: "svc-post",
        client_secret: POST_SECRET,
        token_endpoint_auth_method: "client_secret_post",
      },
      {
        client_id: "svc-rs256",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [rsa.jwk] },
      },
      {
        client_id: "svc-es256",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [ec.jwk] },
      },
    ],
    { PROTECTED_AUDIENCE: RESOURCE },
  );
});

afterAll(async () => {
  await provider?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function config(options: Omit<ConfigOptions, "authBase" | "cacheDir">) {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-oauth-"));
  dirs.push(dir);
  return createConfig({
    authBase: provider.issuer,
    cacheDir: dir,
    grant: "client_credentials",
    tokenUrl: "/token",
    ...options,
  });
}

/** Every form an echo can take of each secret is absent from `text`. */
function holdsNoSecret(text: string, secrets: readonly string[]): boolean {
  return redactSecrets(text, secrets) === text;
}

describe("client_credentials against oidc-provider", () => {
  test("client_secret_basic: a client id with ':' and a secret with '+', '/', '%' and a space get a token (form-encoded before base64)", async () => {
    const info = await getAccessTokenInfo({
      config: await config({ clientId: "svc:basic", clientKey: BASIC_SECRET, scope: "api:read" }),
    });
    expect(info.source).toBe("network");
    expect(info.accessToken.length).toBeGreaterThan(20);
    expect(info.expiresIn).toBeGreaterThan(0);
  });

  test("client_secret_post: a token, then the same token from memory", async () => {
    const c = await config({
      clientId: "svc-post",
      clientKey: POST_SECRET,
      clientAuth: "client_secret_post",
    });
    const first = await getAccessTokenInfo({ config: c });
    const second = await getAccessTokenInfo({ config: c });
    expect(first.source).toBe("network");
    expect(second).toEqual({ ...first, source: "memory" });
  });

  test.each([
    ["RS256", "svc-rs256", rsa.pem],
    ["ES256", "svc-es256", ec.pem],
  ])("private_key_jwt signed %s by the key's type: a token", async (_alg, clientId, pem) => {
    const info = await getAccessTokenInfo({
      config: await config({ clientId, clientKey: pem, clientAuth: "private_key_jwt" }),
    });
    expect(info.source).toBe("network");
    expect(info.accessToken.length).toBeGreaterThan(20);
  });

  test("private_key_jwt with the PEM's line breaks written as \\n on one line (an environment variable): a token", async () => {
    const info = await getAccessTokenInfo({
      config: await config({
        clientId: "svc-es256",
        clientKey: ec.pem.trim().replaceAll("\n", "\\n"),
        clientAuth: "private_key_jwt",
      }),
    });
    expect(info.source).toBe("network");
  });

  test("discovery from the issuer: RFC 8414's URL is absent here, OpenID discovery names the token endpoint", async () => {
    const before = await provider.tokenRequests();
    const c = await config({
      clientId: "svc-post",
      clientKey: POST_SECRET,
      clientAuth: "client_secret_post",
    });
    const discovered = createConfig({ ...pick(c), issuer: provider.issuer });
    const info = await getAccessTokenInfo({ config: discovered });
    expect(info.source).toBe("network");
    expect(await provider.tokenRequests()).toBe(before + 1);
  });

  test("an invalid secret is an AuthSessionError with the OAuth code invalid_client, and its message holds no form of the secret", async () => {
    const wrong = "wr0ng:secret+value/xyz";
    const error = await getAccessTokenInfo({
      config: await config({ clientId: "svc:basic", clientKey: wrong }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthSessionError);
    const e = error as AuthSessionError;
    expect(e.oauthError).toBe("invalid_client");
    expect(e.status).toBe(401);
    expect(e.message).toContain("invalid_client");
    expect(e.message).toStartWith(
      `OAuth token request failed (HTTP 401, POST ${provider.issuer}/token)`,
    );
    expect(holdsNoSecret(`${e.message}\n${e.stack}`, [wrong])).toBe(true);
  });

  test("the CLI's token with an invalid secret exits 3 (auth error), and neither stdout nor stderr holds any form of the secret", async () => {
    const wrong = "cli-wr0ng:secret+value/xyz";
    const dir = await mkdtemp(join(tmpdir(), "openclaw-oauth-cli-"));
    dirs.push(dir);
    const cli = Bun.spawn([process.execPath, CLI, "token"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        AUTH_BASE: provider.issuer,
        AUTH_CACHE_DIR: join(dir, "cache"),
        AUTH_GRANT: "client_credentials",
        AUTH_TOKEN_URL: "/token",
        AUTH_CLIENT_ID: "svc:basic",
        CLIENT_KEY: wrong,
      },
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(cli.stdout).text(),
      new Response(cli.stderr).text(),
      cli.exited,
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain("invalid_client");
    expect(holdsNoSecret(`${stdout}\n${stderr}`, [wrong])).toBe(true);
  });

  test("apps/examples/client-credentials.ts calls the protected route with a private_key_jwt token and exits 0", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openclaw-oauth-example-"));
    dirs.push(dir);
    const example = Bun.spawn([process.execPath, EXAMPLE, "/api/protected"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        AUTH_BASE: provider.issuer,
        AUTH_CACHE_DIR: join(dir, "cache"),
        AUTH_GRANT: "client_credentials",
        AUTH_ISSUER: provider.issuer,
        AUTH_CLIENT_ID: "svc-es256",
        AUTH_CLIENT_AUTH: "private_key_jwt",
        AUTH_RESOURCE: RESOURCE,
        CLIENT_KEY: ec.pem,
      },
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, code] = await Promise.all([new Response(example.stdout).text(), example.exited]);
    expect(code).toBe(0);
    expect(stdout).toContain("token: from network");
    expect(stdout).toContain("status: 200");
    expect(stdout).toContain('"client_id":"svc-es256"');
  });

  test("a resource indicator reaches the token: the JWT access token's audience is the resource", async () => {
    const info = await getAccessTokenInfo({
      config: await config({
        clientId: "svc-post",
        clientKey: POST_SECRET,
        clientAuth: "client_secret_post",
        resource: RESOURCE,
        scope: "api:read",
      }),
    });
    const claims = jwtClaims(info.accessToken);
    expect(claims.aud).toBe(RESOURCE);
    expect(claims.client_id).toBe("svc-post");
    expect(claims.scope).toBe("api:read");
  });

  test("the JWT access token is accepted by a protected route that verifies it (signature, issuer, audience)", async () => {
    const c = await config({
      clientId: "svc-rs256",
      clientKey: rsa.pem,
      clientAuth: "private_key_jwt",
      resource: RESOURCE,
    });
    const response = await requestApiWithAutoRefresh({ config: c, url: "/api/protected" });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ ok: true, client_id: "svc-rs256", aud: RESOURCE });
  });

  test("an opaque token (no resource) is refused by the protected route: the refusal comes back after one refresh", async () => {
    const c = await config({
      clientId: "svc-post",
      clientKey: POST_SECRET,
      clientAuth: "client_secret_post",
    });
    const before = await provider.tokenRequests();
    const response = await requestApiWithAutoRefresh({ config: c, url: "/api/protected" });
    expect(response.status).toBe(401);
    expect(await provider.tokenRequests()).toBe(before + 2);
  });
});

/** The options a config was made of (its fields that are options). */
function pick(c: Awaited<ReturnType<typeof config>>): ConfigOptions {
  return {
    authBase: c.authBase,
    cacheDir: c.cacheDir,
    clientKey: c.clientKey,
    grant: c.grant,
    ...(c.clientId === undefined ? {} : { clientId: c.clientId }),
    clientAuth: c.clientAuth,
  };
}
