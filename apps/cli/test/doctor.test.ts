/** `doctor` proves the key with a real token request, and names a default only when it is one. */
import { describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CONFIG_DEFAULTS } from "@openclaw/auth-runtime/cache";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

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
      const checks = JSON.parse(run.stdout) as { check: string; level: string; message: string }[];
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
