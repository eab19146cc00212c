/** Configuration: the defaults and rules of DESIGN.md, the .env file, and the key kept out of sight. */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import type { Harness } from "../harness.ts";
import { CLIENT_KEY, caught, it, withTempDir } from "../support.ts";

export function configSuite(h: Harness): void {
  const { api } = h;
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
      assert.equal(config.authBase, "https://gw.example.com");
      assert.equal(config.cacheDir, "/var/tmp/tokens");
      assert.equal(config.minTtlSec, 0);
      assert.equal(config.sessionPath, "/v2/session");
      assert.equal(config.timeoutMs, 2500);
      assert.equal(config.maxTtlSec, 3600);
      assert.deepEqual(
        [...config.allowedOrigins],
        ["https://a.example.com", "http://127.0.0.1:8080"],
      );
      assert.equal(config.redisUrl, "redis://127.0.0.1:6379/0");
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
          // A missing .env file is no error: the environment alone decides.
          assert.equal(
            api.createEnvConfig({ CLIENT_KEY }, { envFile: join(dir, "absent.env") }).clientKey,
            CLIENT_KEY,
          );
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
          const error = await caught(() => api.loadClientKeyFromEnv(join(dir, "absent.env")));
          assert.ok(error instanceof api.ConfigError);
          assert.ok(error.message.startsWith("CLIENT_KEY is required"), error.message);
        }
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
