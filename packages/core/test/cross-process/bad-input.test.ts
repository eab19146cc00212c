/**
 * Bad input: wrong environment values, odd `.env` files and unusable cache dirs each give a typed
 * error naming the problem, or a safe fallback (the store warns once and works memory-only); the
 * client key never shows up in any of it.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { chown, lstat, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  giveAway,
  inUserNamespace,
  isRoot,
  modesBind,
  NOBODY,
  runInUserNamespace,
  runWithoutModeOverride,
} from "../fixtures/another-user.ts";
import {
  CONFIG_DEFAULTS,
  ConfigError,
  cacheKey,
  createEnvConfig,
  createTokenManager,
  type EnvConfig,
  parseCacheFile,
} from "../fixtures/internal-api.ts";
import { CLIENT_KEY, cleanup, clientEnv, gateway, leaked, storm, tempDir } from "./storm.ts";

afterEach(cleanup);

/** Asserts that a child run of one test (as another user) ran it and it passed. */
function expectChildPassed(child: { code: number | null; output: string }): void {
  expect(child.output).toContain(" 1 pass");
  expect(child.output).toContain(" 0 fail");
  expect(child.code).toBe(0);
}
const BASE = { CLIENT_KEY, AUTH_BASE: "http://127.0.0.1:8080" };

/** The ConfigError `env` gives (the test fails when it gives none). */
function configError(env: Record<string, string>, envFile: string | false = false): ConfigError {
  try {
    createEnvConfig(env, { envFile });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify({ ...env, CLIENT_KEY: "…" })}`);
}

describe("bad environment values", () => {
  // [variable, value, a fragment of the value that must never be echoed (credentials) or ""]
  const rejected: [string, string, string][] = [
    ["AUTH_BASE", "not a url", ""],
    ["AUTH_BASE", "ftp://127.0.0.1/", ""],
    ["AUTH_BASE", "https://user:s3cr3t-pw@gw.example.com", "s3cr3t-pw"],
    ["AUTH_BASE", "http://gw.example.com", ""],
    ["AUTH_BASE", "https://gw.example.com/?token=s3cr3t-q", "s3cr3t-q"],
    ["AUTH_MIN_TTL_SEC", "-1", ""],
    ["AUTH_MIN_TTL_SEC", "sixty", ""],
    ["AUTH_MIN_TTL_SEC", "1.5", ""],
    ["AUTH_MIN_TTL_SEC", "99999999999999999999", ""],
    ["AUTH_TIMEOUT_MS", "0", ""],
    ["AUTH_TIMEOUT_MS", "-100", ""],
    ["AUTH_TIMEOUT_MS", "1e4", ""],
    ["AUTH_TIMEOUT_MS", "NaN", ""],
    ["AUTH_TIMEOUT_MS", "100000000000", ""],
    ["AUTH_SESSION_PATH", "auth/session", ""],
    ["AUTH_SESSION_PATH", "//evil.example.com/steal", ""],
    ["AUTH_ALLOWED_ORIGINS", "not a url", ""],
    ["AUTH_ALLOWED_ORIGINS", "https://a.example.com/path", ""],
    ["AUTH_ALLOWED_ORIGINS", "https://u:s3cr3t-o@a.example.com", "s3cr3t-o"],
    ["AUTH_REDIS_URL", "http://cache.example.com", ""],
    ["AUTH_REDIS_URL", "redis://", ""],
    ["AUTH_CACHE_DIR", "/tmp/a\0b", ""],
  ];
  test.each(rejected)("%s=%p is a ConfigError naming the variable", (name, value, secret) => {
    const error = configError({ ...BASE, [name]: value });
    expect(error.code).toBe("CONFIG_ERROR");
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(CLIENT_KEY);
    if (secret) expect(error.message).not.toContain(secret);
  });

  test("an empty or blank value means the default, not an error", () => {
    const config = createEnvConfig(
      {
        ...BASE,
        AUTH_CACHE_DIR: "",
        AUTH_MIN_TTL_SEC: "",
        AUTH_TIMEOUT_MS: "  ",
        AUTH_SESSION_PATH: "",
        AUTH_ALLOWED_ORIGINS: "",
        AUTH_REDIS_URL: "",
      },
      { envFile: false },
    );
    expect(config.cacheDir).toBe(CONFIG_DEFAULTS.cacheDir);
    expect(config.minTtlSec).toBe(CONFIG_DEFAULTS.minTtlSec);
    expect(config.timeoutMs).toBe(CONFIG_DEFAULTS.timeoutMs);
    expect(config.sessionPath).toBe(CONFIG_DEFAULTS.sessionPath);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.redisUrl).toBeUndefined();
  });

  test("an empty or blank CLIENT_KEY is a ConfigError saying it is required", () => {
    for (const value of ["", "   "]) {
      const error = configError({ ...BASE, CLIENT_KEY: value });
      expect(error.message).toStartWith("CLIENT_KEY is required");
    }
  });

  test("a client process with a bad value prints one typed error line, exit 1, without the key", async () => {
    const cacheDir = join(await tempDir(), "cache");
    const gw = gateway();
    const runs = await storm({
      count: 2,
      env: (i) =>
        clientEnv(gw, cacheDir, i === 0 ? { AUTH_MIN_TTL_SEC: "-5" } : { AUTH_BASE: "nope" }),
    });
    expect(runs.map((r) => r.code)).toEqual([1, 1]);
    expect(runs.map((r) => r.line?.error?.name)).toEqual(["ConfigError", "ConfigError"]);
    expect(runs[0]?.line?.error?.message).toContain("AUTH_MIN_TTL_SEC");
    expect(runs[1]?.line?.error?.message).toContain("AUTH_BASE");
    expect(leaked(runs)).toEqual([]);
    expect(gw.stats().requests).toEqual({});
  }, 30_000);
});

describe("odd .env files", () => {
  test("comments, export, CRLF, a BOM, spaces, quotes, lines without '=' and duplicates parse as dotenv does", async () => {
    const dir = await tempDir();
    const envFile = join(dir, ".env");
    await writeFile(
      envFile,
      [
        "\uFEFF# a comment",
        `export CLIENT_KEY=${CLIENT_KEY}`,
        "   ",
        "JUST_A_WORD",
        "AUTH_MIN_TTL_SEC = 120   # trailing comment",
        'AUTH_TIMEOUT_MS="2500"',
        "AUTH_SESSION_PATH='/auth/session'",
        "AUTH_BASE=http://127.0.0.1:1",
        "AUTH_BASE=http://127.0.0.1:2/",
        "AUTH_CACHE_DIR=",
      ].join("\r\n"),
    );
    const config = createEnvConfig({}, { envFile });
    expect(config.clientKey).toBe(CLIENT_KEY);
    expect(config.clientKeySource).toBe("env-file");
    expect(config.minTtlSec).toBe(120);
    expect(config.timeoutMs).toBe(2500);
    expect(config.authBase).toBe("http://127.0.0.1:2");
    expect(config.cacheDir).toBe(CONFIG_DEFAULTS.cacheDir);
    // The environment wins over the file.
    expect(createEnvConfig({ AUTH_MIN_TTL_SEC: "5" }, { envFile }).minTtlSec).toBe(5);
    expect(JSON.stringify(config)).not.toContain(CLIENT_KEY);
  });

  test("a bad value in .env is a ConfigError naming the variable, not the key", async () => {
    const envFile = join(await tempDir(), ".env");
    await writeFile(envFile, `CLIENT_KEY=${CLIENT_KEY}\nAUTH_TIMEOUT_MS=soon\n`);
    const error = configError({}, envFile);
    expect(error.message).toContain("AUTH_TIMEOUT_MS");
    expect(error.message).not.toContain(CLIENT_KEY);
  });

  test("a .env that is a directory or is missing is a ConfigError naming envFile, not the path", async () => {
    // The path holds the key: a message that repeated it would leak it.
    const dir = join(await tempDir(), CLIENT_KEY);
    await mkdir(dir);
    const unreadable = configError({ CLIENT_KEY: "k" }, dir);
    expect(unreadable.message).toBe(
      "Not reading the env file named by envFile (--env-file): it is a directory, not a regular file",
    );
    const missing = configError({ CLIENT_KEY: "k" }, join(dir, "none"));
    expect(missing.message).toBe("The env file named by envFile (--env-file) does not exist");
  });

  test("a .env without CLIENT_KEY (only a blank one) is a ConfigError saying it is required", async () => {
    const envFile = join(await tempDir(), ".env");
    await writeFile(envFile, "CLIENT_KEY=\nAUTH_MIN_TTL_SEC=5\n");
    expect(configError({}, envFile).message).toStartWith("CLIENT_KEY is required");
  });
});

describe("unusable cache dirs and files", () => {
  interface Case {
    /** Prepares `root` and returns the cache dir to use. */
    setup(root: string, config: (cacheDir: string) => EnvConfig): Promise<string>;
    /** A fragment of the one warning; undefined: no warning. */
    warning: string | undefined;
  }

  /** Two getToken calls through a manager of our own: both succeed, the second from memory. */
  async function run(make: Case["setup"]) {
    const root = await tempDir();
    const gw = gateway();
    const configFor = (cacheDir: string) =>
      createEnvConfig(clientEnv(gw, cacheDir), { envFile: false });
    const cacheDir = await make(root, configFor);
    const warnings: string[] = [];
    const manager = createTokenManager({
      config: configFor(cacheDir),
      onWarning: (message) => warnings.push(message),
    });
    const first = await manager.getToken();
    const second = await manager.getToken();
    expect(first.source).toBe("network");
    expect(second.accessToken).toBe(first.accessToken);
    expect(gw.stats().tokensIssued).toBe(1);
    for (const warning of warnings) expect(warning).not.toContain(CLIENT_KEY);
    return { root, cacheDir, warnings, token: first.accessToken, key: manager.key };
  }

  const cases: [string, Case][] = [
    [
      "a regular file",
      {
        warning: "it is not a directory",
        async setup(root) {
          await writeFile(join(root, "cache"), "not a dir");
          return join(root, "cache");
        },
      },
    ],
    [
      "a path under a regular file (cannot be created, even by root)",
      {
        warning: "cannot create it",
        async setup(root) {
          await writeFile(join(root, "file"), "");
          return join(root, "file", "cache");
        },
      },
    ],
    [
      "a symlink to a directory",
      {
        warning: "it is a symlink",
        async setup(root) {
          await mkdir(join(root, "real"), { mode: 0o700 });
          await symlink(join(root, "real"), join(root, "cache"));
          return join(root, "cache");
        },
      },
    ],
  ];
  // Root gives its directory away; any other user points at the root directory, root's own.
  cases.push([
    "a directory owned by another user",
    {
      warning: `it is owned by another user (uid ${isRoot ? NOBODY : 0})`,
      async setup(root) {
        if (!isRoot) return "/";
        await mkdir(join(root, "cache"), { mode: 0o700 });
        await chown(join(root, "cache"), NOBODY, NOBODY);
        return join(root, "cache");
      },
    },
  ]);

  test.each(cases)(
    "a cache dir that is %s: one warning naming it, tokens in memory only",
    async (_, c) => {
      const { root, cacheDir, warnings } = await run(c.setup);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(cacheDir);
      expect(warnings[0]).toContain(c.warning as string);
      expect(warnings[0]).toContain("memory only");
      // Nothing was written anywhere under the test's root but what the setup made.
      const names = (await readdir(root, { recursive: true })).map(String).sort();
      expect(names.some((n) => n.includes("token_"))).toBe(false);
    },
  );

  // Root may write anywhere, so "not writable" is only an honest case where file modes bind: as
  // root, the test runs itself again without the powers that override them.
  const NOT_WRITABLE =
    "a cache dir that is not writable: one warning naming it, tokens in memory only";
  test(NOT_WRITABLE, async () => {
    if (!modesBind) {
      return expectChildPassed(await runWithoutModeOverride(import.meta.path, NOT_WRITABLE));
    }
    const { chmod } = await import("node:fs/promises");
    const { warnings } = await run(async (root) => {
      await mkdir(join(root, "cache"), { mode: 0o500 });
      await chmod(join(root, "cache"), 0o500);
      return join(root, "cache");
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("cannot write in it (EACCES)");
    expect(warnings[0]).toContain("memory only");
  });

  test("a cache file that is a symlink is not read, and writing replaces the link, not its target", async () => {
    const { root, cacheDir, warnings, token, key } = await run(async (root, configFor) => {
      const cacheDir = join(root, "cache");
      await mkdir(cacheDir, { mode: 0o700 });
      const target = join(root, "planted.json");
      await writeFile(
        target,
        JSON.stringify({ access_token: "planted", expires_at: 4e9, expires_in: 900 }),
      );
      const key = cacheKey(configFor(cacheDir));
      await symlink(target, join(cacheDir, `token_${key}.json`));
      return cacheDir;
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("it is a symlink");
    expect(JSON.parse(await readFile(join(root, "planted.json"), "utf8")).access_token).toBe(
      "planted",
    );
    const file = join(cacheDir, `token_${key}.json`);
    expect((await lstat(file)).isFile()).toBe(true);
    expect(parseCacheFile(await readFile(file, "utf8"))?.accessToken).toBe(token);
  });

  // Only root can give a file away: any other user runs the test again as root of a user
  // namespace of its own (another-user.ts).
  const OWNED_FILE = "a cache file owned by another user is not read; our own file replaces it";
  test(OWNED_FILE, async () => {
    if (!isRoot) return expectChildPassed(await runInUserNamespace(import.meta.path, OWNED_FILE));
    let giveBack = () => {};
    const { cacheDir, warnings, token, key } = await run(async (root, configFor) => {
      const cacheDir = join(root, "cache");
      await mkdir(cacheDir, { mode: 0o700 });
      const file = join(cacheDir, `token_${cacheKey(configFor(cacheDir))}.json`);
      await writeFile(
        file,
        JSON.stringify({ access_token: "theirs", expires_at: 4e9, expires_in: 900 }),
        { mode: 0o644 },
      );
      giveBack = await giveAway(file);
      return cacheDir;
    });
    expect(warnings[0]).toContain(`it is owned by another user (uid ${NOBODY})`);
    const file = join(cacheDir, `token_${key}.json`);
    if (inUserNamespace) {
      // A mount point cannot be renamed over: the token stays in memory, the file theirs.
      expect((await lstat(file)).uid).toBe(NOBODY);
      giveBack();
    } else {
      expect(warnings).toHaveLength(1);
      expect((await lstat(file)).uid).toBe(0);
      expect(parseCacheFile(await readFile(file, "utf8"))?.accessToken).toBe(token);
    }
  });

  test("a cache file that is a directory: warned about, the token works from memory", async () => {
    const { warnings } = await run(async (root, configFor) => {
      const cacheDir = join(root, "cache");
      await mkdir(join(cacheDir, `token_${cacheKey(configFor(cacheDir))}.json`), {
        recursive: true,
      });
      return cacheDir;
    });
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.some((w) => w.includes("it is not a regular file"))).toBe(true);
  });

  test("a cache file of garbage is a miss, replaced without a warning", async () => {
    const { cacheDir, warnings, token, key } = await run(async (root, configFor) => {
      const cacheDir = join(root, "cache");
      await mkdir(cacheDir, { mode: 0o700 });
      const file = join(cacheDir, `token_${cacheKey(configFor(cacheDir))}.json`);
      await writeFile(file, '{"access_token": "half', { mode: 0o600 });
      return cacheDir;
    });
    expect(warnings).toEqual([]);
    const file = join(cacheDir, `token_${key}.json`);
    expect(parseCacheFile(await readFile(file, "utf8"))?.accessToken).toBe(token);
  });

  test("client processes on a cache dir that is a file each warn once on stderr and still get a token", async () => {
    const root = await tempDir();
    await writeFile(join(root, "cache"), "not a dir");
    const gw = gateway();
    const runs = await storm({ count: 2, env: clientEnv(gw, join(root, "cache")) });
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(typeof run.line?.token).toBe("string");
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("it is not a directory");
    }
    expect(leaked(runs)).toEqual([]);
    expect(await readFile(join(root, "cache"), "utf8")).toBe("not a dir");
  }, 30_000);
});
