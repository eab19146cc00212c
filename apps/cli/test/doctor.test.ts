/**
 * `doctor` proves the key with a real token request (either grant), names a default only when it
 * is one, and shows the client_credentials grant.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CONFIG_DEFAULTS } from "@openclaw/auth-runtime/config";
import { holdsSecret, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const WRONG_KEY = "ck-wrong-Q9z7xK2m";

describe("doctor proves the key", () => {
  test(
    "a key the gateway refuses fails the gateway check: exit 3, nothing cached",
    async () => {
      const run = await fx.run(["doctor"], { env: { CLIENT_KEY: WRONG_KEY } });
      expect(run.code, run.stdout).toBe(3);
      expect(run.stdout).toMatch(/^ok\s+config: CLIENT_KEY from the environment/m);
      expect(run.stdout).toMatch(
        /^fail\s+gateway: http:\/\/127\.0\.0\.1:\d+\/auth\/session refused the token request: AUTH_SESSION_ERROR: /m,
      );
      expect(run.stdout).not.toContain(WRONG_KEY);
      expect(fx.gateway.stats().tokensIssued).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "a refused key read from .env fails the same way: exit 3",
    async () => {
      await writeFile(join(fx.dir, ".env"), `CLIENT_KEY=${WRONG_KEY}\n`);
      const run = await fx.run(["doctor", "--json"], { env: { CLIENT_KEY: undefined } });
      expect(run.code, run.stdout).toBe(3);
      const { checks } = JSON.parse(run.stdout) as {
        checks: { check: string; level: string; message: string }[];
      };
      expect(checks[0]).toMatchObject({ check: "config", level: "ok" });
      expect(checks[0]?.message).toContain("CLIENT_KEY from .env");
      expect(checks[2]).toMatchObject({ check: "gateway", level: "fail" });
      expect(checks[2]?.message).toContain("AUTH_SESSION_ERROR");
      expect(run.stdout).not.toContain(WRONG_KEY);
    },
    TIMEOUT_MS,
  );

  test(
    "a wrong AUTH_SESSION_PATH (the gateway answers 404) fails: exit 3",
    async () => {
      const run = await fx.run(["doctor"], { env: { AUTH_SESSION_PATH: "/auth/nope" } });
      expect(run.code, run.stdout).toBe(3);
      expect(run.stdout).toMatch(
        /^fail\s+gateway: .*\/auth\/nope refused the token request: .*HTTP 404/m,
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a gateway that answers but is slow to issue is still proven within AUTH_TIMEOUT_MS: exit 0",
    async () => {
      fx.gateway.setFaults([{ kind: "latency", ms: 200, route: "/auth/session" }]);
      const run = await fx.run(["doctor"], { env: { AUTH_TIMEOUT_MS: "5000" } });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/^ok\s+gateway: .* accepted the key/m);
    },
    TIMEOUT_MS,
  );
});

describe("doctor names the default AUTH_BASE", () => {
  const configLine = async (env: Record<string, string | undefined>) => {
    const run = await fx.run(["doctor", "--dry-run"], { env });
    expect(run.code, run.stdout).toBe(0);
    return run.stdout.split("\n")[0] as string;
  };

  test(
    "'(the default)' only when AUTH_BASE is set nowhere, not when exported or in .env as the default",
    async () => {
      const unset = await configLine({ AUTH_BASE: undefined });
      expect(unset).toContain(`AUTH_BASE ${CONFIG_DEFAULTS.authBase} (the default)`);
      const exported = await configLine({ AUTH_BASE: CONFIG_DEFAULTS.authBase });
      expect(exported).toContain(`AUTH_BASE ${CONFIG_DEFAULTS.authBase}`);
      expect(exported).not.toContain("(the default)");
      await writeFile(join(fx.dir, ".env"), `AUTH_BASE=${CONFIG_DEFAULTS.authBase}\n`);
      const fromFile = await configLine({ AUTH_BASE: undefined });
      expect(fromFile).toContain(`AUTH_BASE ${CONFIG_DEFAULTS.authBase}`);
      expect(fromFile).not.toContain("(the default)");
    },
    TIMEOUT_MS,
  );
});

describe("doctor shows the client_credentials grant", () => {
  const CLIENT_ID = "svc-doctor";
  const SECRET = "cc-secret-DOCTOR+/=9x";
  /** A scripted RFC 6749 §4.4 token endpoint (client_secret_post), counting the requests it gets. */
  let endpoint: { url: string; requests: number; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    const state = { requests: 0 };
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        state.requests += 1;
        const form = new URLSearchParams(body);
        const ok =
          req.method === "POST" &&
          req.url === "/oauth/token" &&
          form.get("grant_type") === "client_credentials" &&
          form.get("client_id") === CLIENT_ID &&
          form.get("client_secret") === SECRET;
        res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            ok
              ? { access_token: "cc-token-DOCTOR-1", token_type: "Bearer", expires_in: 600 }
              : { error: "invalid_client", error_description: "unknown client or secret" },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    endpoint = {
      url: `http://127.0.0.1:${port}`,
      get requests() {
        return state.requests;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  const ccEnv = (secret: string) => ({
    AUTH_BASE: endpoint?.url,
    AUTH_GRANT: "client_credentials",
    AUTH_TOKEN_URL: "/oauth/token",
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_CLIENT_AUTH: "client_secret_post",
    CLIENT_KEY: secret,
  });

  test(
    "the config line names the grant, the token endpoint and the client auth; the credentials are proven by one token request: exit 0",
    async () => {
      const before = endpoint?.requests ?? 0;
      const run = await fx.run(["doctor"], { env: ccEnv(SECRET) });
      expect(run.code, run.stdout).toBe(0);
      const url = endpoint?.url ?? "";
      expect(run.stdout.split("\n")[0]).toBe(
        `ok    config: CLIENT_KEY from the environment; AUTH_BASE ${url}; grant client_credentials, client ${CLIENT_ID} by client_secret_post, token endpoint ${url}/oauth/token; set in the environment: AUTH_BASE, CLIENT_KEY, AUTH_CACHE_DIR, AUTH_GRANT, AUTH_TOKEN_URL, AUTH_CLIENT_ID, AUTH_CLIENT_AUTH`,
      );
      expect(run.stdout).toMatch(
        new RegExp(
          `^ok\\s+gateway: ${url.replaceAll(".", "\\.")}/oauth/token accepted the client credentials in \\d+ ms \\(a token valid for \\d+ s; not kept\\)$`,
          "m",
        ),
      );
      expect(endpoint?.requests).toBe(before + 1);
      expect(run.stdout).not.toContain(SECRET);
      expect(run.stdout).not.toContain("cc-token-DOCTOR");
    },
    TIMEOUT_MS,
  );

  test(
    "a secret the token endpoint refuses fails with the OAuth error and exit 3, no form of the secret shown",
    async () => {
      const wrong = "cc-wrong-SECRET+:9z";
      const run = await fx.run(["doctor"], { env: ccEnv(wrong) });
      expect(run.code, run.stdout).toBe(3);
      expect(run.stdout).toMatch(
        /^fail\s+gateway: http:\/\/127\.0\.0\.1:\d+\/oauth\/token refused the token request: AUTH_SESSION_ERROR: .*invalid_client/m,
      );
      expect(holdsSecret(`${run.stdout}${run.stderr}`, wrong)).toBe(false);
    },
    TIMEOUT_MS,
  );

  test(
    "with AUTH_ISSUER instead of a token URL the config line names the issuer to discover",
    async () => {
      const issuer = "https://idp.example.com/realms/x";
      const run = await fx.run(["doctor", "--dry-run"], {
        env: { ...ccEnv(SECRET), AUTH_TOKEN_URL: undefined, AUTH_ISSUER: issuer },
      });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout.split("\n")[0]).toContain(
        `grant client_credentials, client ${CLIENT_ID} by client_secret_post, AUTH_ISSUER ${issuer} (token endpoint discovered)`,
      );
    },
    TIMEOUT_MS,
  );
});
