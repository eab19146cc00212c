/**
 * A hostile OAuth authorization server (client_credentials) on 127.0.0.1: a discovery shared by
 * callers one of whom aborts, a discovered token endpoint no configured one could be, echoes of
 * the credentials (a PEM key in every layout, the `error` code itself), and keys the runtime
 * cannot sign with.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { caught, errorTexts, it, recordOutput, sleep } from "../support.ts";
import type { Harness } from "../types.ts";

const CLIENT_ID = "svc-hostile";
const SECRET = "cc-hostile-CANARY+5e2f/7a";

/** One request as the server saw it. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

interface Answer {
  readonly status?: number;
  readonly body?: unknown;
  /** Milliseconds before answering. */
  readonly delayMs?: number;
}

interface OAuthServer {
  readonly url: string;
  readonly seen: Seen[];
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

/** A loopback server answering each request with what `answer` says (given its own URL). */
async function startOAuthServer(answer: (seen: Seen, url: string) => Answer): Promise<OAuthServer> {
  const server = createServer(async (request, response) => {
    const seen: Seen = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      authorization: request.headers.authorization,
      body: await readBody(request),
    };
    oauth.seen.push(seen);
    const { status = 200, body, delayMs = 0 } = answer(seen, oauth.url);
    if (delayMs > 0) await sleep(delayMs);
    if (response.destroyed) return;
    response.writeHead(status, { "content-type": "application/json" });
    response.end(typeof body === "string" ? body : JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const oauth: OAuthServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: [],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return oauth;
}

async function withOAuthServer(
  answer: (seen: Seen, url: string) => Answer,
  fn: (server: OAuthServer) => Promise<void>,
): Promise<void> {
  const server = await startOAuthServer(answer);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

const TOKEN = { access_token: "hostile-oauth-token-1", token_type: "Bearer", expires_in: 600 };

/** The variables of a client_credentials config against `url`; `more` overrides them. */
const ccEnv = (url: string, more: Record<string, string> = {}): Record<string, string> => ({
  AUTH_BASE: url,
  AUTH_GRANT: "client_credentials",
  AUTH_CLIENT_ID: CLIENT_ID,
  AUTH_TOKEN_URL: "/token",
  CLIENT_KEY: SECRET,
  ...more,
});

/** The same, the token endpoint discovered from the issuer `url` instead. */
const issuerEnv = (url: string, more: Record<string, string> = {}): Record<string, string> => {
  const { AUTH_TOKEN_URL: _configured, ...env } = ccEnv(url, { AUTH_ISSUER: url, ...more });
  return env;
};

/** Metadata of the issuer `url` (RFC 8414), naming `tokenEndpoint`. */
const metadata = (url: string, tokenEndpoint: string) => ({
  issuer: url,
  token_endpoint: tokenEndpoint,
});

const pemOf = (key: { export(options: { format: "pem"; type: "pkcs8" }): string | Buffer }) =>
  key.export({ format: "pem", type: "pkcs8" }).toString();

/** A PKCS#8 PEM private key of a kind the runtime signs with (RSA). */
const rsaPem = () => pemOf(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);

/** The base64 body of a PEM, without its armour and line breaks. */
const bodyOf = (pem: string) =>
  pem
    .split(/\r?\n/)
    .filter((line) => line !== "" && !line.startsWith("-----"))
    .join("");

/** True when `text`, its line breaks and escapes taken out, holds 24 characters of the key's body. */
function leaksKey(text: string, pem: string): boolean {
  const compact = text.replace(/\s|\\[rn]/g, "");
  const body = bodyOf(pem);
  for (let at = 0; at + 24 <= body.length; at += 8) {
    if (compact.includes(body.slice(at, at + 24))) return true;
  }
  return false;
}

/** Every text of `error` and of every field of it: what a user, a log or `util.inspect` sees. */
function everyText(error: Error): string[] {
  const fields = Object.getOwnPropertyNames(error).map((name) =>
    String((error as unknown as Record<string, unknown>)[name]),
  );
  return [...errorTexts(error), ...fields, inspect(error, { depth: 8 })];
}

/**
 * A DSA key (1024 bits), made for this test and used nowhere else: the runtimes cannot sign
 * with DSA, and Bun cannot generate one.
 */
const DSA_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIIBSwIBADCCASsGByqGSM44BAEwggEeAoGBAIGs0OLrg2FmweIk9Qb/2r157I7A
XPRhUyKmgMTtG2YbCs/uXlfI+jBWn5iUMSFCJm6kIjEkFvV6Uh+tRGntvywvhtgJ
80CSF9ubxFzwM4H8azZ7fQidNS06L7WDsMFzg+myA1ST9nxqdkF2g2wljUi8Ojae
oLz38MclZfqooIB5AhUAzi1ffKZOVlofjFiGxgD33eRYIC8CgYAVEVO44HFaqA2v
b0sQTi4+kbpKo5PUPWdXQiFS+sX/LvC5DuvzQo7XEUkYciDxFX8Ux3KWlx1hF8u6
rmhlXL6dHGtSnnGejWSf8PKz0xPMzi8+r34KSf2SksNT6GSb3uf3YhTMl3S4/6zI
AEdFk+hF3xSbehkLj/o6r2q6LvNRLAQXAhUAosP793JL54s+1ib4BwVicapQFks=
-----END PRIVATE KEY-----
`;

export function hostileOAuthSuite(h: Harness): void {
  const { api } = h;
  const configOf = (env: Record<string, string>): EnvConfig =>
    api.createEnvConfig(env, { envFile: false });
  /** A manager of its own, memory only: each test starts cold and leaves no file. */
  const managerOf = (config: EnvConfig, events: unknown[] = []) =>
    api.createTokenManager({
      config,
      store: null,
      onWarning: (message) => recordOutput(message),
      onEvent: (event) => events.push(event),
    });

  h.t.describe("hostile OAuth authorization server", () => {
    it(
      h,
      "two callers share one discovery: the first one's abort leaves the other's token request going",
      async () => {
        await withOAuthServer(
          (seen, url) =>
            seen.method === "GET"
              ? { body: metadata(url, `${url}/token`), delayMs: 400 }
              : { body: TOKEN },
          async (server) => {
            // Two configs of one issuer (another scope: another token, the same discovery).
            const env = issuerEnv(server.url, { AUTH_SCOPE: "a" });
            const first = managerOf(configOf(env));
            const other = managerOf(configOf({ ...env, AUTH_SCOPE: "b" }));
            const controller = new AbortController();
            const aborted = caught(
              api.getAccessTokenInfo({ tokenManager: first, signal: controller.signal }),
            );
            for (let i = 0; i < 200 && server.seen.length === 0; i++) await sleep(10);
            assert.equal(server.seen.length, 1, "the first caller's discovery has started");
            const token = api.getAccessTokenInfo({ tokenManager: other });
            await sleep(50);
            controller.abort();
            const error = await aborted;
            assert.equal((error as { reason?: string }).reason, "aborted");
            const info = await token;
            assert.equal(info.accessToken, TOKEN.access_token);
            assert.deepEqual(
              server.seen.map((seen) => seen.method),
              ["GET", "POST"],
              "one discovery for both callers, then the other caller's token request",
            );
          },
        );
      },
    );

    for (const [name, endpoint] of [
      ["a ws: URL on a loopback host", (url: string) => `${url.replace("http:", "ws:")}/token`],
      ["an s3: URL on a loopback host", () => "s3://127.0.0.1/token"],
      [
        "credentials (user:password@)",
        (url: string) => `${url.replace("http://", "http://alice:s3cr3t@")}/token`,
      ],
      ["a fragment", (url: string) => `${url}/token#frag`],
      ["plain http to another host", () => "http://192.0.2.1/token"],
    ] as const) {
      it(
        h,
        `a discovered token_endpoint with ${name} is refused like a configured one: the client credentials are sent nowhere`,
        async () => {
          await withOAuthServer(
            (seen, url) =>
              seen.method === "GET" ? { body: metadata(url, endpoint(url)) } : { body: TOKEN },
            async (server) => {
              const env = issuerEnv(server.url);
              const fetched: string[] = [];
              const manager = api.createTokenManager({
                config: configOf(env),
                store: null,
                fetch: (input, init) => {
                  fetched.push(String(input));
                  return fetch(input, init);
                },
              });
              const error = await caught(api.getAccessTokenInfo({ tokenManager: manager }));
              assert.equal(error.name, "AuthSessionError", error.message);
              assert.match(error.message, /OAuth discovery found no token endpoint/);
              assert.match(error.message, /its token_endpoint must/);
              for (const text of everyText(error)) assert.ok(!text.includes("s3cr3t"), text);
              assert.deepEqual(
                fetched.map((url) => new URL(url).pathname),
                ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"],
                "only the two metadata documents were asked for",
              );
              assert.ok(server.seen.every((seen) => seen.method === "GET"));
            },
          );
        },
      );
    }

    it(
      h,
      "a PEM key echoed by the token endpoint (whole, its base64 body, one line, CRLF or LF) is redacted from every error and event, for every grant",
      async () => {
        const lf = rsaPem();
        const crlf = lf.replaceAll("\n", "\r\n");
        const lines = lf.split("\n");
        const echoes = {
          "one line of it": lines[3] ?? "",
          "its base64 body on one line": bodyOf(lf),
          "the PEM with LF line ends": lf,
          "the PEM with CRLF line ends": crlf,
        };
        const grants = {
          session: {},
          client_secret_basic: { AUTH_CLIENT_AUTH: "client_secret_basic" },
          client_secret_post: { AUTH_CLIENT_AUTH: "client_secret_post" },
          private_key_jwt: { AUTH_CLIENT_AUTH: "private_key_jwt" },
        };
        for (const [echoName, echo] of Object.entries(echoes)) {
          await withOAuthServer(
            (seen) =>
              seen.path === "/auth/session"
                ? { status: 401, body: { code: 401, msg: `refused key ${echo}` } }
                : {
                    status: 401,
                    body: { error: "invalid_client", error_description: `refused key ${echo}` },
                  },
            async (server) => {
              for (const [grant, more] of Object.entries(grants)) {
                // The key as the user keeps it: CRLF line ends (a file saved on Windows).
                const env =
                  grant === "session"
                    ? { AUTH_BASE: server.url, CLIENT_KEY: crlf }
                    : ccEnv(server.url, { ...more, CLIENT_KEY: crlf });
                const events: unknown[] = [];
                const error = await caught(
                  api.getAccessTokenInfo({ tokenManager: managerOf(configOf(env), events) }),
                );
                assert.equal(error.name, "AuthSessionError", `${grant}: ${error.message}`);
                for (const text of [...everyText(error), JSON.stringify(events)]) {
                  assert.ok(!leaksKey(text, lf), `${grant}, ${echoName}: key material in ${text}`);
                }
              }
            },
          );
        }
      },
    );

    it(
      h,
      "a secret echoed in the OAuth error code itself is redacted from oauthError and every other field",
      async () => {
        const pem = rsaPem();
        const basic = btoa(`${CLIENT_ID}:${encodeURIComponent(SECRET)}`);
        const cases = [
          { name: "client_secret_post, the secret", env: {}, error: SECRET, secret: SECRET },
          {
            name: "client_secret_basic, the Basic credentials",
            env: { AUTH_CLIENT_AUTH: "client_secret_basic" },
            error: `Basic ${basic}`,
            secret: basic,
          },
          {
            name: "private_key_jwt, a line of the key",
            env: { AUTH_CLIENT_AUTH: "private_key_jwt", CLIENT_KEY: pem },
            error: pem.split("\n")[2] ?? "",
            secret: pem.split("\n")[2] ?? "",
          },
        ];
        for (const { name, env, error: code, secret } of cases) {
          await withOAuthServer(
            () => ({ status: 400, body: { error: code } }),
            async (server) => {
              const config = configOf(
                ccEnv(server.url, { AUTH_CLIENT_AUTH: "client_secret_post", ...env }),
              );
              const error = await caught(
                api.getAccessTokenInfo({ tokenManager: managerOf(config) }),
              );
              assert.equal(error.name, "AuthSessionError", `${name}: ${error.message}`);
              const oauthError = (error as { oauthError?: string }).oauthError;
              assert.ok(oauthError?.includes("[redacted]"), `${name}: oauthError ${oauthError}`);
              for (const text of everyText(error)) {
                assert.ok(!text.includes(secret), `${name}: the secret in ${text}`);
                assert.ok(!text.includes("CANARY"), `${name}: the secret in ${text}`);
              }
            },
          );
        }
      },
    );

    const unusable = {
      "a P-384 EC key": () => pemOf(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey),
      "an Ed25519 key": () => pemOf(generateKeyPairSync("ed25519").privateKey),
      "a DSA key": () => DSA_TEST_KEY,
      "garbage in PEM armour": () =>
        `-----BEGIN PRIVATE KEY-----\n${"QUJD".repeat(40)}\n-----END PRIVATE KEY-----\n`,
      "a public key": () =>
        generateKeyPairSync("ec", { namedCurve: "P-256" })
          .publicKey.export({ format: "pem", type: "spki" })
          .toString(),
    };
    it(
      h,
      "private_key_jwt with a key the runtime cannot sign with is a ConfigError at once: no retry, nothing sent",
      async () => {
        await withOAuthServer(
          () => ({ body: TOKEN }),
          async (server) => {
            for (const [name, make] of Object.entries(unusable)) {
              const pem = make();
              const events: { type?: string }[] = [];
              const error = await caught(async () => {
                const config = configOf(
                  ccEnv(server.url, { AUTH_CLIENT_AUTH: "private_key_jwt", CLIENT_KEY: pem }),
                );
                return api.getAccessTokenInfo({ tokenManager: managerOf(config, events) });
              });
              assert.equal(error.name, "ConfigError", `${name}: ${error.name}: ${error.message}`);
              assert.equal((error as { code?: string }).code, "CONFIG_ERROR");
              assert.match(error.message, /CLIENT_KEY/);
              assert.deepEqual(
                events.filter((event) => event.type === "token.retry"),
                [],
                `${name}: retried`,
              );
              for (const text of everyText(error)) {
                assert.ok(!leaksKey(text, pem), `${name}: key material in ${text}`);
              }
            }
            assert.deepEqual(server.seen, [], "nothing was sent");
          },
        );
      },
    );
  });
}
