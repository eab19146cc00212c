/** `status`, `clear` and `doctor`: what they report, their exit codes, and that they never print secrets. */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, closedPortUrl, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

interface StatusJson {
  path: string;
  state: string;
  valid: boolean;
  expiresAt?: number;
  expiresIn?: number;
  authBase: string;
  cacheDir: string;
  minTtlSec: number;
}

/** Makes the cache dir a symlink to a private dir of ours, and answers that dir. */
async function symlinkCacheDir(): Promise<string> {
  const real = join(fx.dir, "real");
  await mkdir(real, { mode: 0o700 });
  await symlink(real, fx.cacheDir);
  return real;
}

describe("status", () => {
  test(
    "shows the cache file and its state, missing before a token and valid after, never the token",
    async () => {
      const before = JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson;
      expect(before).toMatchObject({ state: "missing", valid: false, cacheDir: fx.cacheDir });
      expect(before.path).toMatch(new RegExp(`^${fx.cacheDir}/token_[0-9a-f]{32}\\.json$`));

      expect((await fx.run(["token"])).code).toBe(0);
      const after = JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson;
      expect(after).toMatchObject({ path: before.path, state: "valid", valid: true });
      expect(after.expiresIn).toBeGreaterThan(800);
      expect(after.authBase).toBe(fx.gateway.url);

      const text = await fx.run(["status"]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(before.path);
      expect(text.stdout).toMatch(/^state:\s+valid$/m);
      expect(text.stdout).toMatch(/^expires in:\s+1[45]m /m);
      expect(text.stdout).not.toContain("\x1b[");
    },
    TIMEOUT_MS,
  );

  test(
    "reports an expiring, an expired and an invalid cache file",
    async () => {
      const path = (JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson).path;
      await mkdir(fx.cacheDir, { mode: 0o700 });
      const write = (content: string) => writeFile(path, content, { mode: 0o600 });
      const now = Date.now() / 1000;
      const state = async () =>
        (JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson).state;

      await write(
        JSON.stringify({ access_token: "t0ken-a", expires_at: now + 30, expires_in: 900 }),
      );
      expect(await state()).toBe("expiring");
      await write(
        JSON.stringify({ access_token: "t0ken-b", expires_at: now - 5, expires_in: 900 }),
      );
      expect(await state()).toBe("expired");
      await write("not json");
      expect(await state()).toBe("invalid");
    },
    TIMEOUT_MS,
  );

  test(
    "judges a token by the runtime's rules: within the refresh jitter it is expiring, past the lifetime cap invalid",
    async () => {
      const path = (JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson).path;
      await mkdir(fx.cacheDir, { mode: 0o700 });
      const now = Date.now() / 1000;
      const state = async (expiresAt: number) => {
        await writeFile(path, JSON.stringify({ access_token: "t0ken-c", expires_at: expiresAt }), {
          mode: 0o600,
        });
        return (JSON.parse((await fx.run(["status", "--json"])).stdout) as StatusJson).state;
      };
      // AUTH_MIN_TTL_SEC 60: some process refreshes at up to 66 s before expiry.
      expect(await state(now + 63)).toBe("expiring");
      expect(await state(now + 120)).toBe("valid");
      // An expiry in milliseconds: the runtime replaces it rather than serve it for decades.
      expect(await state(now * 1000)).toBe("invalid");
    },
    TIMEOUT_MS,
  );

  test(
    "a cache dir the runtime refuses is reported with the runtime's reason",
    async () => {
      await symlinkCacheDir();
      const run = await fx.run(["status", "--json"]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      const entry = JSON.parse(run.stdout) as StatusJson & { reason: string };
      expect(entry.state).toBe("refused");
      expect(entry.reason).toBe(
        `not using cache dir ${fx.cacheDir}: it is a symlink; tokens are kept in memory only`,
      );
    },
    TIMEOUT_MS,
  );
});

describe("clear", () => {
  test(
    "removes this config's cache file only; --dry-run removes nothing",
    async () => {
      expect((await fx.run(["token"])).code).toBe(0);
      const other = join(fx.cacheDir, `token_${"0".repeat(32)}.json`);
      await writeFile(other, "{}");

      const dry = await fx.run(["clear", "--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.stderr).toContain("dry run: would remove");
      expect(JSON.parse((await fx.run(["status", "--json"])).stdout).state).toBe("valid");

      const run = await fx.run(["clear"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^openclaw-auth: removed .*token_[0-9a-f]{32}\.json\n$/);
      expect(JSON.parse((await fx.run(["status", "--json"])).stdout).state).toBe("missing");
      expect(existsSync(other)).toBe(true);

      const quiet = await fx.run(["clear", "--quiet"]);
      expect(quiet).toMatchObject({ code: 0, stdout: "", stderr: "" });
      expect((await fx.run(["token", "--json"])).stdout).toContain('"source":"network"');
    },
    TIMEOUT_MS,
  );
});

describe("doctor", () => {
  test(
    "ok for the config, the cache dir and the key, proven by one token request that is not cached: exit 0",
    async () => {
      await mkdir(fx.cacheDir, { mode: 0o700 });
      const run = await fx.run(["doctor"]);
      expect(run.code, run.stdout).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^ok\s+config: CLIENT_KEY from the environment; AUTH_BASE http/);
      expect(lines[1]).toMatch(/^ok\s+cache dir: .* is private \(0700\) and yours$/);
      expect(lines[2]).toMatch(
        /^ok\s+gateway: http:\/\/127\.0\.0\.1:\d+\/auth\/session accepted the key in \d+ ms \(a token valid for \d+ s; not kept\)$/,
      );
      expect(fx.gateway.stats().tokensIssued).toBe(1);
      expect(await readdir(fx.cacheDir)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "names the .env file the client key came from",
    async () => {
      await writeFile(join(fx.dir, "custom.env"), `CLIENT_KEY=${CLIENT_KEY}\n`);
      const run = await fx.run(["doctor", "--json", "--env-file", "custom.env"], {
        env: { CLIENT_KEY: undefined },
      });
      const { checks } = JSON.parse(run.stdout) as {
        checks: { check: string; level: string; message: string }[];
      };
      expect(checks[0]).toMatchObject({ check: "config", level: "ok" });
      expect(checks[0]?.message).toContain("CLIENT_KEY from custom.env");
    },
    TIMEOUT_MS,
  );

  test(
    "a gateway that does not answer fails: exit 4",
    async () => {
      const run = await fx.run(["doctor"], { env: { AUTH_BASE: await closedPortUrl() } });
      expect(run.code).toBe(4);
      expect(run.stdout).toMatch(/^fail\s+gateway: .*no answer/m);
    },
    TIMEOUT_MS,
  );

  test(
    "a symlinked cache dir fails, a group-readable one warns",
    async () => {
      const real = await symlinkCacheDir();
      const linked = await fx.run(["doctor"]);
      expect(linked.code).toBe(2);
      expect(linked.stdout).toMatch(/^fail\s+cache dir: .* is a symlink/m);

      await chmod(real, 0o750);
      const loose = await fx.run(["doctor"], { env: { AUTH_CACHE_DIR: real } });
      expect(loose.code).toBe(0);
      expect(loose.stdout).toMatch(/^warn\s+cache dir: .* has mode 0750/m);
    },
    TIMEOUT_MS,
  );

  test(
    "without CLIENT_KEY the config fails (exit 2) and the other checks still run",
    async () => {
      const run = await fx.run(["doctor"], { env: { CLIENT_KEY: undefined } });
      expect(run.code).toBe(2);
      expect(run.stdout).toMatch(/^fail\s+config: CONFIG_ERROR: CLIENT_KEY is required/m);
      expect(run.stdout).toMatch(/^ok\s+gateway: /m);
    },
    TIMEOUT_MS,
  );

  test(
    "--dry-run does not contact the gateway",
    async () => {
      const run = await fx.run(["doctor", "--dry-run"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^skip\s+gateway: dry run/m);
      expect(fx.gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );
});
