/** `token`: the token on stdout, its JSON form, the shared cache, and the exit codes of failures. */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, expectErrorLine, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

interface TokenJson {
  token: string;
  expiresAt: number;
  expiresIn: number;
  source: string;
  dryRun?: boolean;
}

describe("token", () => {
  test(
    "prints only the token on stdout, from the gateway first and the cache file after",
    async () => {
      const first = await fx.run(["token"]);
      expect(first.code).toBe(0);
      expect(first.stderr).toBe("");
      expect(first.stdout).toMatch(/^eyJ[\w-]*\.[\w-]+\.[\w-]+\n$/);
      const second = await fx.run(["token"]);
      expect(second.stdout).toBe(first.stdout);
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "--verbose prints what the runtime did, one line per event on stderr, and nothing secret",
    async () => {
      const cold = await fx.run(["token", "--verbose"]);
      expect(cold.code).toBe(0);
      const token = cold.stdout.trim();
      expect(cold.stderr).toMatch(
        /^openclaw-auth: token\.acquired source=network ms=\d+ attempts=1$/m,
      );
      expect(cold.stderr).not.toContain(token);
      expect(cold.stderr).not.toContain(CLIENT_KEY);
      const warm = await fx.run(["token", "--verbose"]);
      expect(warm.stdout.trim()).toBe(token);
      expect(warm.stderr).toMatch(/^openclaw-auth: token\.acquired source=cache /m);
      expect((await fx.run(["token"])).stderr).toBe("");
    },
    TIMEOUT_MS,
  );

  test(
    "--json gives token, expiresAt, expiresIn (seconds left) and source",
    async () => {
      const cold = JSON.parse((await fx.run(["token", "--json"])).stdout) as TokenJson;
      expect(cold.source).toBe("network");
      expect(cold.token).toMatch(/^eyJ/);
      expect(cold.expiresIn).toBeGreaterThan(800);
      expect(cold.expiresIn).toBeLessThanOrEqual(900);
      expect(Math.abs(cold.expiresAt - Date.now() / 1000 - cold.expiresIn)).toBeLessThan(5);
      const warm = JSON.parse((await fx.run(["token", "--json"])).stdout) as TokenJson;
      expect(warm).toMatchObject({ token: cold.token, expiresAt: cold.expiresAt, source: "cache" });
    },
    TIMEOUT_MS,
  );

  test(
    "--refresh skips the cache and gets a new token",
    async () => {
      const before = (await fx.run(["token"])).stdout;
      const refreshed = await fx.run(["token", "--refresh", "--json"]);
      expect(refreshed.code).toBe(0);
      const json = JSON.parse(refreshed.stdout) as TokenJson;
      expect(json.source).toBe("network");
      expect(`${json.token}\n`).not.toBe(before);
      expect((await fx.run(["token"])).stdout).toBe(`${json.token}\n`);
      expect(fx.gateway.stats().tokensIssued).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "--refresh that gets no new token fails without printing the old one (exit 3, or 4 with no answer)",
    async () => {
      const before = (await fx.run(["token"])).stdout;
      fx.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
      const refused = await fx.run(["token", "--refresh"], { env: { AUTH_TIMEOUT_MS: "2000" } });
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).not.toContain(before.trim());
      expectErrorLine(refused, "AUTH_SESSION_ERROR");
      fx.gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
      const dropped = await fx.run(["token", "--refresh", "-q"], {
        env: { AUTH_TIMEOUT_MS: "2000" },
      });
      expect(dropped.code).toBe(4);
      expect(dropped.stdout).toBe("");
      // The cached token is still served to a plain `token`.
      fx.gateway.setFaults([]);
      expect((await fx.run(["token"])).stdout).toBe(before);
    },
    TIMEOUT_MS,
  );

  test(
    "twelve processes started together on a cold cache make one token request",
    async () => {
      fx.gateway.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
      const runs = await Promise.all(Array.from({ length: 12 }, () => fx.run(["token"])));
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe(runs[0]?.stdout as string);
      }
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "--dry-run prints a placeholder token without a request or a cache dir",
    async () => {
      const plain = await fx.run(["token", "--dry-run"]);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toBe("openclaw-dry-run-token\n");
      const json = await fx.run(["--dry-run", "token", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        token: "openclaw-dry-run-token",
        dryRun: true,
      });
      expect(fx.gateway.stats().requests).toEqual({});
      expect(existsSync(fx.cacheDir)).toBe(false);
    },
    TIMEOUT_MS,
  );

  test(
    "a key the gateway refuses is an auth error: exit 3, AUTH_SESSION_ERROR",
    async () => {
      const run = await fx.run(["token"], { env: { CLIENT_KEY: "ck-live-WRONG-0000" } });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe("");
      expectErrorLine(run, "AUTH_SESSION_ERROR");
      expect(run.stderr).toContain("HTTP 401");
      expect(run.stderr).not.toContain("ck-live-WRONG-0000");
    },
    TIMEOUT_MS,
  );

  test(
    "a gateway that does not answer is a network error: exit 4, AUTH_NETWORK_ERROR",
    async () => {
      fx.gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
      const run = await fx.run(["token"]);
      expect(run.code).toBe(4);
      expect(run.stdout).toBe("");
      expectErrorLine(run, "AUTH_NETWORK_ERROR");
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "a config error is exit 2 with CONFIG_ERROR naming the variable",
    async () => {
      const missing = await fx.run(["token"], { env: { CLIENT_KEY: undefined } });
      expect(missing.code).toBe(2);
      expectErrorLine(missing, "CONFIG_ERROR");
      expect(missing.stderr).toContain("CLIENT_KEY is required");
      const remote = await fx.run(["token"], { env: { AUTH_BASE: "http://gw.example.com" } });
      expect(remote.code).toBe(2);
      expect(remote.stderr).toContain("AUTH_BASE must use https");
      expect(fx.gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );

  test(
    "--env-file supplies what the environment does not; a missing one is a config error",
    async () => {
      const envFile = join(fx.dir, "gateway.env");
      await writeFile(envFile, `# test\nexport CLIENT_KEY=${CLIENT_KEY}\n`);
      const run = await fx.run(["--env-file", envFile, "token"], {
        env: { CLIENT_KEY: undefined },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^eyJ/);
      const missing = await fx.run(["token", "--env-file", join(fx.dir, "nope.env")]);
      expect(missing.code).toBe(2);
      expectErrorLine(missing, "CONFIG_ERROR");
    },
    TIMEOUT_MS,
  );

  test(
    "--env-file wins over a ./.env that bun itself loads into process.env",
    async () => {
      if (process.platform !== "linux") return; // needs /proc/self/environ (see src/env.ts)
      await writeFile(join(fx.dir, ".env"), "CLIENT_KEY=ck-live-WRONG-0000\n");
      const envFile = join(fx.dir, "right.env");
      await writeFile(envFile, `CLIENT_KEY=${CLIENT_KEY}\n`);
      const run = await fx.run(["token", "--env-file", envFile], {
        env: { CLIENT_KEY: undefined },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^eyJ/);
    },
    TIMEOUT_MS,
  );

  test(
    "--base overrides AUTH_BASE",
    async () => {
      const run = await fx.run(["token", "--base", fx.gateway.url], {
        env: { AUTH_BASE: "https://gw.invalid" },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );
});
