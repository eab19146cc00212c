/** Configuration: the defaults and rules of docs/configuration.md, the .env file, and the key kept out of sight. */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { CLIENT_KEY, caught, it, TEST_TIMEOUT_MS, withTempDir } from "../support.ts";
import type { Harness, RuntimeApi, TestApi } from "../types.ts";

/**
 * `createConfig` as a runtime exports it, taken loosely: the tests below also pass it values of
 * the wrong type, as a JavaScript caller could.
 */
export type AnyCreateConfig = (options: never) => EnvConfig;

/** The config both "every variable" and "every option" describe, read back field by field. */
function expectEveryField(config: EnvConfig): void {
  assert.equal(config.authBase, "https://gw.example.com");
  assert.equal(config.cacheDir, "/var/tmp/tokens");
  assert.equal(config.minTtlSec, 0);
  assert.equal(config.sessionPath, "/v2/session");
  assert.equal(config.timeoutMs, 2500);
  assert.equal(config.maxTtlSec, 3600);
  assert.deepEqual([...config.allowedOrigins], ["https://a.example.com", "http://127.0.0.1:8080"]);
  assert.equal(config.redisUrl, "redis://127.0.0.1:6379/0");
}

export function configSuite(h: Harness): void {
  const { api } = h;
  createConfigTests(h.t, api.createConfig, api.ConfigError);
  const make = (env: Record<string, string>) => api.createEnvConfig(env, { envFile: false });

  /** Asserts `env` is refused with a ConfigError naming `variable` and not repeating the value. */
  async function refused(env: Record<string, string>, variable: string): Promise<void> {
    const error = await caught(() => make({ CLIENT_KEY, ...env }));
    assert.ok(error instanceof api.ConfigError, `${variable}: expected a ConfigError`);
    assert.equal((error as InstanceType<typeof api.ConfigError>).code, "CONFIG_ERROR");
    assert.match(error.message, new RegExp(variable));
    const value = env[variable];
    if (value && value.length > 3) assert.ok(!error.message.includes(value), error.message);
    assert.ok(!error.message.includes(CLIENT_KEY));
  }

  h.t.describe("config", () => {
    it(h, "only CLIENT_KEY set gives the documented defaults, frozen", () => {
      const config = make({ CLIENT_KEY });
      assert.equal(config.authBase, "https://api-gw-test.yuanwei-lnc.com");
      assert.equal(config.clientKey, CLIENT_KEY);
      assert.equal(config.cacheDir, "/tmp/skill-auth-cache");
      assert.equal(config.minTtlSec, 60);
      assert.equal(config.sessionPath, "/auth/session");
      assert.equal(config.timeoutMs, 10_000);
      assert.equal(config.maxTtlSec, 86_400);
      assert.deepEqual([...config.allowedOrigins], []);
      assert.equal(config.redisUrl, undefined);
      assert.ok(Object.isFrozen(config));
    });

    it(h, "every variable is read into its field", () => {
      const config = make({
        CLIENT_KEY,
        AUTH_BASE: "https://gw.example.com/",
        AUTH_CACHE_DIR: "/var/tmp/tokens/",
        AUTH_MIN_TTL_SEC: "0",
        AUTH_SESSION_PATH: "/v2/session",
        AUTH_TIMEOUT_MS: "2500",
        AUTH_MAX_TTL_SEC: "3600",
        AUTH_ALLOWED_ORIGINS: "https://a.example.com, http://127.0.0.1:8080/",
        AUTH_REDIS_URL: "redis://127.0.0.1:6379/0",
      });
      expectEveryField(config);
    });

    it(
      h,
      "a missing or blank CLIENT_KEY is a ConfigError that starts 'CLIENT_KEY is required'",
      async () => {
        for (const env of [{}, { CLIENT_KEY: "" }, { CLIENT_KEY: "   " }]) {
          const error = await caught(() => make(env));
          assert.ok(error instanceof api.ConfigError);
          assert.ok(error.message.startsWith("CLIENT_KEY is required"), error.message);
        }
      },
    );

    it(h, "AUTH_BASE must be an absolute http(s) URL, https unless loopback", async () => {
      await refused({ AUTH_BASE: "gw.example.com/api" }, "AUTH_BASE");
      await refused({ AUTH_BASE: "ftp://gw.example.com" }, "AUTH_BASE");
      await refused({ AUTH_BASE: "http://gw.example.com" }, "AUTH_BASE");
      await refused({ AUTH_BASE: "https://user:secret-pw@gw.example.com" }, "AUTH_BASE");
      assert.equal(
        make({ CLIENT_KEY, AUTH_BASE: "http://127.0.0.1:9/" }).authBase,
        "http://127.0.0.1:9",
      );
      assert.equal(
        make({ CLIENT_KEY, AUTH_BASE: "http://localhost:9" }).authBase,
        "http://localhost:9",
      );
    });

    it(h, "AUTH_MIN_TTL_SEC and AUTH_TIMEOUT_MS must be integers in range", async () => {
      for (const bad of ["-1", "1.5", "abc", "1e3"]) {
        await refused({ AUTH_MIN_TTL_SEC: bad }, "AUTH_MIN_TTL_SEC");
        await refused({ AUTH_TIMEOUT_MS: bad }, "AUTH_TIMEOUT_MS");
      }
      await refused({ AUTH_TIMEOUT_MS: "0" }, "AUTH_TIMEOUT_MS");
      assert.equal(make({ CLIENT_KEY, AUTH_MIN_TTL_SEC: "0" }).minTtlSec, 0);
      assert.equal(make({ CLIENT_KEY, AUTH_TIMEOUT_MS: "1" }).timeoutMs, 1);
    });

    it(h, "AUTH_MAX_TTL_SEC must be an integer above 0", async () => {
      for (const bad of ["0", "-1", "1.5", "abc", "1e3", "86400s"]) {
        await refused({ AUTH_MAX_TTL_SEC: bad }, "AUTH_MAX_TTL_SEC");
      }
      assert.equal(make({ CLIENT_KEY, AUTH_MAX_TTL_SEC: "1" }).maxTtlSec, 1);
    });

    it(
      h,
      "AUTH_SESSION_PATH, AUTH_ALLOWED_ORIGINS and AUTH_REDIS_URL follow their rules",
      async () => {
        await refused({ AUTH_SESSION_PATH: "auth/session" }, "AUTH_SESSION_PATH");
        await refused({ AUTH_SESSION_PATH: "//evil.example/session" }, "AUTH_SESSION_PATH");
        await refused(
          { AUTH_ALLOWED_ORIGINS: "https://a.example.com/path" },
          "AUTH_ALLOWED_ORIGINS",
        );
        await refused({ AUTH_ALLOWED_ORIGINS: "a.example.com" }, "AUTH_ALLOWED_ORIGINS");
        await refused({ AUTH_REDIS_URL: "http://127.0.0.1:6379" }, "AUTH_REDIS_URL");
      },
    );

    it(h, "a bad value is never repeated in the error", async () => {
      const secretish = "ck-live-CANARY-7f3a9c-as-a-value";
      for (const variable of [
        "AUTH_BASE",
        "AUTH_MIN_TTL_SEC",
        "AUTH_TIMEOUT_MS",
        "AUTH_MAX_TTL_SEC",
        "AUTH_SESSION_PATH",
        "AUTH_ALLOWED_ORIGINS",
        "AUTH_REDIS_URL",
      ]) {
        await refused({ [variable]: secretish }, variable);
      }
    });

    it(
      h,
      "CLIENT_KEY comes from the .env file when the environment has none; the environment wins",
      async () => {
        await withTempDir(async (dir) => {
          const envFile = join(dir, ".env");
          await writeFile(envFile, `CLIENT_KEY=from-file-key\nAUTH_MIN_TTL_SEC=5\n`);
          const before = process.env.CLIENT_KEY;
          const fromFile = api.createEnvConfig({}, { envFile });
          assert.equal(fromFile.clientKey, "from-file-key");
          assert.equal(fromFile.clientKeySource, "env-file");
          assert.equal(fromFile.minTtlSec, 5);
          const fromEnv = api.createEnvConfig({ CLIENT_KEY: "from-env-key" }, { envFile });
          assert.equal(fromEnv.clientKey, "from-env-key");
          assert.equal(fromEnv.clientKeySource, "env");
          assert.equal(
            process.env.CLIENT_KEY,
            before,
            "the .env file is not written into process.env",
          );
        });
      },
    );

    it(
      h,
      "an envFile that does not exist is a ConfigError naming the option, not the path",
      async () => {
        await withTempDir(async (dir) => {
          // A path may hold a pasted secret: the message must not repeat it.
          const envFile = join(dir, `${CLIENT_KEY}.env`);
          const error = await caught(() => api.createEnvConfig({ CLIENT_KEY }, { envFile }));
          assert.ok(error instanceof api.ConfigError, "expected a ConfigError");
          assert.match(error.message, /envFile/);
          assert.match(error.message, /does not exist/);
          assert.ok(!error.message.includes(dir), error.message);
          assert.ok(!error.message.includes(CLIENT_KEY), error.message);
        });
      },
    );

    it(h, "loadClientKeyFromEnv reads the environment, then the .env file", async () => {
      await withTempDir(async (dir) => {
        const envFile = join(dir, ".env");
        await writeFile(envFile, "CLIENT_KEY=from-file-key\n");
        const fromEnv = process.env.CLIENT_KEY?.trim();
        assert.equal(api.loadClientKeyFromEnv(envFile), fromEnv || "from-file-key");
        if (!fromEnv) {
          await writeFile(join(dir, "blank.env"), "CLIENT_KEY=\n");
          const error = await caught(() => api.loadClientKeyFromEnv(join(dir, "blank.env")));
          assert.ok(error instanceof api.ConfigError);
          assert.ok(error.message.startsWith("CLIENT_KEY is required"), error.message);
        }
        // As createEnvConfig's envFile: a file named that does not exist is an error.
        const missing = await caught(() => api.loadClientKeyFromEnv(join(dir, "absent.env")));
        assert.ok(missing instanceof api.ConfigError);
        assert.match(missing.message, /envPath.*does not exist/);
        assert.ok(!missing.message.includes(dir), missing.message);
      });
    });

    it(h, "JSON.stringify and inspect of a config hide the client key", () => {
      const config = make({ CLIENT_KEY });
      assert.ok(!JSON.stringify(config).includes(CLIENT_KEY));
      assert.ok(!inspect(config).includes(CLIENT_KEY));
      assert.ok(!inspect({ nested: config }, { depth: 4 }).includes(CLIENT_KEY));
    });
  });
}

/**
 * The tests of `createConfig`: the options object takes the rules, defaults and redaction of the
 * environment table. Registered by {@link configSuite} for each runtime that exports it, and by
 * core's test/config.test.ts against config.ts itself.
 */
export function createConfigTests(
  t: TestApi,
  createConfig: AnyCreateConfig,
  ConfigError: RuntimeApi["ConfigError"],
): void {
  // Deliberately loose: a JavaScript caller can pass anything.
  const make = createConfig as (options: Record<string, unknown>) => EnvConfig;

  /** Asserts `options` are refused with a ConfigError naming `option`, not repeating its value. */
  async function refused(options: Record<string, unknown>, option: string): Promise<void> {
    const error = await caught(() => make({ clientKey: CLIENT_KEY, ...options }));
    assert.ok(error instanceof ConfigError, `${option}: expected a ConfigError`);
    assert.equal((error as InstanceType<typeof ConfigError>).code, "CONFIG_ERROR");
    assert.match(error.message, new RegExp(`\\b${option}\\b`));
    const value = options[option];
    if (typeof value === "string" && value.length > 3) {
      assert.ok(!error.message.includes(value), error.message);
    }
    assert.ok(!error.message.includes(CLIENT_KEY), error.message);
  }

  t.describe("createConfig", () => {
    t.test(
      "createConfig with only clientKey gives the documented defaults, frozen, from options",
      () => {
        const config = make({ clientKey: CLIENT_KEY });
        assert.equal(config.authBase, "https://api-gw-test.yuanwei-lnc.com");
        assert.equal(config.clientKey, CLIENT_KEY);
        assert.equal(config.cacheDir, "/tmp/skill-auth-cache");
        assert.equal(config.minTtlSec, 60);
        assert.equal(config.sessionPath, "/auth/session");
        assert.equal(config.timeoutMs, 10_000);
        assert.equal(config.maxTtlSec, 86_400);
        assert.deepEqual([...config.allowedOrigins], []);
        assert.equal(config.redisUrl, undefined);
        assert.equal(config.clientKeySource, "options");
        assert.ok(Object.isFrozen(config));
        assert.ok(Object.isFrozen(config.allowedOrigins));
      },
      TEST_TIMEOUT_MS,
    );

    t.test(
      "createConfig reads every typed option into its field, normalized as the variables are",
      () => {
        const config = make({
          clientKey: ` ${CLIENT_KEY}\n`,
          authBase: "https://gw.example.com/",
          cacheDir: "/var/tmp/tokens/",
          minTtlSec: 0,
          sessionPath: "/v2/session",
          timeoutMs: 2500,
          maxTtlSec: 3600,
          allowedOrigins: ["https://a.example.com", " http://127.0.0.1:8080/ ", ""],
          redisUrl: "redis://127.0.0.1:6379/0",
        });
        assert.equal(config.clientKey, CLIENT_KEY);
        expectEveryField(config);
      },
      TEST_TIMEOUT_MS,
    );

    t.test(
      "createConfig refuses a bad option with a ConfigError naming the option, not its value",
      async () => {
        const secretish = "ck-live-CANARY-7f3a9c-as-a-value";
        await refused({ authBase: "gw.example.com/api" }, "authBase");
        await refused({ authBase: "http://gw.example.com" }, "authBase");
        await refused({ authBase: "https://user:secret-pw@gw.example.com" }, "authBase");
        await refused({ authBase: "https://gw.example.com/?token=s3cr3t" }, "authBase");
        await refused({ authBase: secretish }, "authBase");
        await refused({ cacheDir: "/tmp/a\0b" }, "cacheDir");
        await refused({ sessionPath: "//evil.example/session" }, "sessionPath");
        await refused({ sessionPath: secretish }, "sessionPath");
        for (const bad of [-1, 1.5, Number.NaN, 86_401, "60"]) {
          await refused({ minTtlSec: bad }, "minTtlSec");
        }
        for (const bad of [0, 600_001, Number.POSITIVE_INFINITY, "10000"]) {
          await refused({ timeoutMs: bad }, "timeoutMs");
        }
        for (const bad of [0, 31_536_001, "3600"]) await refused({ maxTtlSec: bad }, "maxTtlSec");
        await refused({ allowedOrigins: ["https://a.example.com/path"] }, "allowedOrigins");
        await refused({ allowedOrigins: "https://a.example.com" }, "allowedOrigins");
        await refused({ allowedOrigins: [secretish] }, "allowedOrigins");
        await refused({ redisUrl: "http://127.0.0.1:6379" }, "redisUrl");
        await refused({ redisUrl: secretish }, "redisUrl");
      },
      TEST_TIMEOUT_MS,
    );

    t.test(
      "createConfig requires clientKey and refuses an option it does not know",
      async () => {
        for (const options of [{}, { clientKey: "" }, { clientKey: "   " }]) {
          const error = await caught(() => make(options));
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /^clientKey is required/);
        }
        const wrongType = await caught(() => make({ clientKey: 42 }));
        assert.ok(wrongType instanceof ConfigError);
        assert.match(wrongType.message, /clientKey must be a string/);
        const typo = await caught(() => make({ clientKey: CLIENT_KEY, authbase: "x" }));
        assert.ok(typo instanceof ConfigError);
        assert.match(typo.message, /authbase/);
      },
      TEST_TIMEOUT_MS,
    );

    t.test(
      "createConfig's config hides the client key from JSON.stringify and inspect",
      () => {
        const config = make({ clientKey: CLIENT_KEY });
        assert.ok(!JSON.stringify(config).includes(CLIENT_KEY));
        assert.ok(!inspect(config).includes(CLIENT_KEY));
        assert.match(JSON.stringify(config), /"clientKey":"\[redacted\]"/);
      },
      TEST_TIMEOUT_MS,
    );
  });
}
