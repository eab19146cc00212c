/**
 * The warm path of `token` (src/main.ts) against the runtime it stands in for: whenever it
 * answers, the runtime would have answered the same; otherwise it leaves the decision to it.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnvConfig } from "@openclaw/auth-runtime";
import { cacheFilesOf, tokenManagerFor } from "../src/context.ts";
import { readWarmToken, warmCacheFile, warmConfig } from "../src/main.ts";
import { CLI_DIR, CLIENT_KEY, TIMEOUT_MS, useFixture } from "./helpers.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-cli-fast-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Env = Record<string, string>;
const BASE: Env = { CLIENT_KEY, AUTH_BASE: "http://127.0.0.1:9", AUTH_CACHE_DIR: "/tmp/c" };

/** [what, env, .env file content (undefined: none), whether the fast path should answer]. */
const CASES: [string, Env, string | undefined, boolean][] = [
  ["a plain config", BASE, undefined, true],
  ["the defaults", { CLIENT_KEY }, undefined, true],
  [
    "trailing slashes",
    { ...BASE, AUTH_BASE: "https://gw.example.com//", AUTH_CACHE_DIR: "/tmp/c//" },
    undefined,
    true,
  ],
  ["a path on AUTH_BASE", { ...BASE, AUTH_BASE: "https://gw.example.com/api/" }, undefined, true],
  ["localhost http", { ...BASE, AUTH_BASE: "http://localhost:8080" }, undefined, true],
  ["::1 http", { ...BASE, AUTH_BASE: "http://[::1]:8080" }, undefined, true],
  ["remote http", { ...BASE, AUTH_BASE: "http://gw.example.com" }, undefined, false],
  // docs/configuration.md: loopback is a literal address or exactly `localhost`; Node resolves the rest.
  ["*.localhost http", { ...BASE, AUTH_BASE: "http://evil.localhost:8080" }, undefined, false],
  ["credentials", { ...BASE, AUTH_BASE: "https://u:p@gw.example.com" }, undefined, false],
  ["a query", { ...BASE, AUTH_BASE: "https://gw.example.com/?a=1" }, undefined, false],
  ["not a URL", { ...BASE, AUTH_BASE: "gw.example.com" }, undefined, false],
  ["ftp", { ...BASE, AUTH_BASE: "ftp://gw.example.com" }, undefined, false],
  ["a blank key", { ...BASE, CLIENT_KEY: "  " }, undefined, false],
  ["min ttl 0", { ...BASE, AUTH_MIN_TTL_SEC: "0" }, undefined, true],
  ["min ttl 1.5", { ...BASE, AUTH_MIN_TTL_SEC: "1.5" }, undefined, false],
  ["min ttl too big", { ...BASE, AUTH_MIN_TTL_SEC: "86401" }, undefined, false],
  ["timeout ok", { ...BASE, AUTH_TIMEOUT_MS: "2500" }, undefined, true],
  ["timeout 0", { ...BASE, AUTH_TIMEOUT_MS: "0" }, undefined, false],
  ["timeout text", { ...BASE, AUTH_TIMEOUT_MS: "soon" }, undefined, false],
  ["session path ok", { ...BASE, AUTH_SESSION_PATH: "/v2/session" }, undefined, true],
  ["session path //", { ...BASE, AUTH_SESSION_PATH: "//evil/x" }, undefined, false],
  [
    "allowed origins (left to the runtime)",
    { ...BASE, AUTH_ALLOWED_ORIGINS: "https://a.example" },
    undefined,
    false,
  ],
  ["a lifetime cap", { ...BASE, AUTH_MAX_TTL_SEC: "3600" }, undefined, true],
  ["a lifetime cap in .env", { CLIENT_KEY }, "AUTH_MAX_TTL_SEC=3600\n", true],
  ["a lifetime cap of 0", { ...BASE, AUTH_MAX_TTL_SEC: "0" }, undefined, false],
  [
    "a redis url (left to the runtime)",
    { ...BASE, AUTH_REDIS_URL: "redis://127.0.0.1" },
    undefined,
    false,
  ],
  ["key from .env", { AUTH_CACHE_DIR: "/tmp/c" }, `CLIENT_KEY=${CLIENT_KEY}\n`, true],
  [
    "export, comments, CRLF",
    { AUTH_CACHE_DIR: "/tmp/c" },
    `# c\r\nexport CLIENT_KEY=${CLIENT_KEY}\r\n\r\nAUTH_MIN_TTL_SEC=30\r\n`,
    true,
  ],
  ["environment wins over .env", BASE, "CLIENT_KEY=other-key\nAUTH_BASE=https://b.example\n", true],
  ["blank env falls to .env", { ...BASE, CLIENT_KEY: "" }, `CLIENT_KEY=${CLIENT_KEY}\n`, true],
  [
    "quoted .env value (left to dotenv)",
    { AUTH_CACHE_DIR: "/tmp/c" },
    `CLIENT_KEY="${CLIENT_KEY}"\n`,
    false,
  ],
  ["bad value in .env", { CLIENT_KEY }, "AUTH_TIMEOUT_MS=abc\n", false],
];

describe("warmConfig agrees with createEnvConfig", () => {
  for (const [what, env, envFileText, answers] of CASES) {
    test(what, async () => {
      const envFile = join(dir, ".env");
      if (envFileText !== undefined) await writeFile(envFile, envFileText);
      const warm = warmConfig(env, envFileText === undefined ? undefined : envFile);
      expect(warm !== undefined).toBe(answers);
      if (!warm) return;
      const config = createEnvConfig(env, { envFile: envFileText === undefined ? false : envFile });
      expect(warm).toEqual({
        authBase: config.authBase,
        clientKey: config.clientKey,
        cacheDir: config.cacheDir,
        minTtlSec: config.minTtlSec,
        maxTtlSec: config.maxTtlSec,
      });
      const manager = tokenManagerFor(config);
      expect(warmCacheFile(warm)).toBe(cacheFilesOf(manager).filePath(manager.key));
    });
  }

  test("a --env-file that does not exist is left to the CLI to report", () => {
    expect(warmConfig({ CLIENT_KEY }, join(dir, "missing.env"))).toBeUndefined();
  });
});

describe("readWarmToken reads only what the runtime would serve", () => {
  const now = 1_800_000_000;
  const env = () => ({ CLIENT_KEY, AUTH_CACHE_DIR: join(dir, "cache"), AUTH_MIN_TTL_SEC: "60" });
  const file = () =>
    warmCacheFile(warmConfig(env(), undefined) as NonNullable<ReturnType<typeof warmConfig>>);
  const write = async (content: unknown) => {
    await mkdir(join(dir, "cache"), { recursive: true, mode: 0o700 });
    await writeFile(file(), typeof content === "string" ? content : JSON.stringify(content), {
      mode: 0o600,
    });
  };

  test("a fresh token", async () => {
    await write({ access_token: "tok-1", expires_at: now + 600, expires_in: 900 });
    expect(readWarmToken(env(), undefined, now)).toEqual({
      accessToken: "tok-1",
      expiresAt: now + 600,
      expiresIn: 900,
    });
  });

  test("not within minTtlSec plus the largest refresh jitter of expiry", async () => {
    await write({ access_token: "tok-1", expires_at: now + 65 });
    expect(readWarmToken(env(), undefined, now)).toBeUndefined();
    await write({ access_token: "tok-1", expires_at: now + 67 });
    expect(readWarmToken(env(), undefined, now)?.accessToken).toBe("tok-1");
  });

  test("not a file that is not a cache file", async () => {
    for (const content of [
      "nope",
      "[]",
      { access_token: "", expires_at: now + 600 },
      { access_token: "t", expires_at: "soon" },
      { access_token: "t", expires_at: now + 600, expires_in: "x" },
    ]) {
      await write(content);
      expect(readWarmToken(env(), undefined, now)).toBeUndefined();
    }
  });

  test("not a cache file larger than 64 KiB, however valid (the runtime does not read one)", async () => {
    const token = { access_token: "tok-1", expires_at: now + 600 };
    await write(JSON.stringify(token).padEnd(64 * 1024, " "));
    expect(readWarmToken(env(), undefined, now)?.accessToken).toBe("tok-1");
    await write(JSON.stringify(token).padEnd(64 * 1024 + 1, " "));
    expect(readWarmToken(env(), undefined, now)).toBeUndefined();
  });

  test("a 1 GB cache file is not read at all", async () => {
    await write("");
    await truncate(file(), 1024 ** 3);
    const before = process.memoryUsage.rss();
    expect(readWarmToken(env(), undefined, now)).toBeUndefined();
    // Reading it would take at least 1 GB; a stat takes nothing.
    expect(process.memoryUsage.rss() - before).toBeLessThan(100 * 1024 * 1024);
  });

  test("not a token the runtime would refuse: spaces, CR/LF, non-ASCII, over 16384 characters", async () => {
    for (const access_token of ["tok en", "tok\r\nX-Evil: 1", "tök", "x".repeat(16_385)]) {
      await write({ access_token, expires_at: now + 600 });
      expect(readWarmToken(env(), undefined, now)).toBeUndefined();
    }
    await write({ access_token: "x".repeat(16_384), expires_at: now + 600 });
    expect(readWarmToken(env(), undefined, now)?.accessToken).toHaveLength(16_384);
  });

  test("not an expiry further ahead than AUTH_MAX_TTL_SEC's default (86400 s), nor one in milliseconds", async () => {
    await write({ access_token: "tok-1", expires_at: now + 86_400 });
    expect(readWarmToken(env(), undefined, now)?.accessToken).toBe("tok-1");
    for (const expires_at of [now + 86_401, now * 1000 + 600_000]) {
      await write({ access_token: "tok-1", expires_at });
      expect(readWarmToken(env(), undefined, now)).toBeUndefined();
    }
  });

  test("not through a symlinked file or a symlinked cache dir", async () => {
    await write({ access_token: "tok-1", expires_at: now + 600 });
    const elsewhere = join(dir, "elsewhere.json");
    await writeFile(elsewhere, JSON.stringify({ access_token: "tok-2", expires_at: now + 600 }));
    await rm(file());
    await symlink(elsewhere, file());
    expect(readWarmToken(env(), undefined, now)).toBeUndefined();

    const realDir = join(dir, "real");
    await mkdir(realDir, { mode: 0o700 });
    await symlink(realDir, join(dir, "linked"));
    const linked = { ...env(), AUTH_CACHE_DIR: join(dir, "linked") };
    const path = warmCacheFile(
      warmConfig(linked, undefined) as NonNullable<ReturnType<typeof warmConfig>>,
    );
    await writeFile(path, JSON.stringify({ access_token: "tok-3", expires_at: now + 600 }));
    expect(readWarmToken(linked, undefined, now)).toBeUndefined();
  });
});

describe("the CLI with and without the warm path", () => {
  const fx = useFixture();

  test(
    "serves the same cached token whether or not the warm path applies",
    async () => {
      const cold = JSON.parse((await fx.run(["token", "--json"])).stdout);
      const fast = JSON.parse((await fx.run(["token", "--json"])).stdout);
      // AUTH_ALLOWED_ORIGINS sends `token` through the runtime.
      const slow = JSON.parse(
        (await fx.run(["token", "--json"], { env: { AUTH_ALLOWED_ORIGINS: "https://a.example" } }))
          .stdout,
      );
      expect(fast).toMatchObject({ token: cold.token, expiresAt: cold.expiresAt, source: "cache" });
      expect(slow).toMatchObject({ token: cold.token, expiresAt: cold.expiresAt, source: "cache" });
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "the warm path takes --json, --quiet, --base and --env-file in any order",
    async () => {
      const cold = JSON.parse((await fx.run(["token", "--json"])).stdout);
      const envFile = join(fx.dir, "plain.env");
      await writeFile(envFile, `CLIENT_KEY=${CLIENT_KEY}\n`);
      // --base replaces an AUTH_BASE that would fail; --env-file supplies the missing key.
      const forms: [string[], Record<string, string | undefined>][] = [
        [["-q", "token", "--json"], {}],
        [
          ["--base", fx.gateway.url, "token", "--json", "--quiet"],
          { AUTH_BASE: "https://gw.invalid" },
        ],
        [["token", `--base=${fx.gateway.url}/`, "--json"], { AUTH_BASE: "https://gw.invalid" }],
        [["--json", `--env-file=${envFile}`, "token"], { CLIENT_KEY: undefined }],
      ];
      for (const [args, env] of forms) {
        const run = await fx.run(args, { env });
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ token: cold.token, source: "cache" });
      }
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "the warm path loads neither zod, nor dotenv, nor any of core but its ./cache entry",
    async () => {
      const cold = JSON.parse((await fx.run(["token", "--json"])).stdout);
      const preload = join(import.meta.dir, "fixtures", "forbid-runtime.ts");
      const cmd = [process.execPath, "--preload", preload, CLI_DIR];
      const warm = await fx.run(["token"], { cmd });
      expect(warm.stderr).toBe("");
      expect(warm).toMatchObject({ code: 0, stdout: `${cold.token}\n` });
      // The preload does refuse the runtime: `token` through the runtime fails under it.
      const slow = await fx.run(["token"], {
        cmd,
        env: { AUTH_ALLOWED_ORIGINS: "https://a.example" },
      });
      expect(slow.code).toBe(1);
      expect(slow.stdout).toBe("");
      // Its error cannot be redacted without core (./adapter): withheld, never printed raw.
      expect(slow.stderr).toBe(
        "openclaw-auth: a message was withheld: the redaction of secrets cannot be loaded\n",
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a warm cache does not hide a config error",
    async () => {
      expect((await fx.run(["token"])).code).toBe(0);
      const run = await fx.run(["token"], { env: { AUTH_TIMEOUT_MS: "soon" } });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("AUTH_TIMEOUT_MS must be an integer");
    },
    TIMEOUT_MS,
  );
});
