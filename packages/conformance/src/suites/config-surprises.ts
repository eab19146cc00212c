/**
 * The configuration without silent surprises (issue 28): a misspelt `AUTH_*`/`CLIENT_*` variable
 * is one warning per process naming the variable meant (never ignored in silence, never its
 * value); a boolean takes the usual spellings and refuses the rest; a path setting's `~` is the
 * home dir, from the environment, a `.env` file or an option, and `~user` is refused. With real
 * `.env` files in temp dirs and real child processes.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuthEvent } from "@openclaw/auth-runtime";
import {
  CLIENT_KEY,
  caught,
  documentedCachePath,
  inDir,
  it,
  recordOutput,
  withFixture,
  withRealTempDir,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** Values no message may repeat. */
const TYPO_BASE = "http://127.0.0.1:9/typo-VALUE-51d2";
const TYPO_VALUE = "typo-VALUE-51d2";

/** A `.env` file only its owner may write (the rule every env file must meet). */
async function envFile(path: string, text: string): Promise<string> {
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/** The lines of `stderr` that are the unknown-variable warning. */
const warningLines = (stderr: string) =>
  stderr.split("\n").filter((line) => line.includes("unknown variable"));

export function configSurprisesSuite(h: Harness): void {
  const { api } = h;

  /** `action` with its config warnings and config.warning events collected. */
  function collect(action: (onWarning: (message: string) => void) => void) {
    const warnings: string[] = [];
    const events: AuthEvent[] = [];
    const unsubscribe = api.subscribe((event) => {
      if (event.type === "config.warning") events.push(event);
    });
    try {
      action((message) => {
        recordOutput(message);
        warnings.push(message);
      });
    } finally {
      unsubscribe();
    }
    return { warnings, events };
  }

  h.t.describe("config: a misspelt variable is said, once, with the name meant", () => {
    it(
      h,
      "AUTH_BSAE in the environment and typos in ./.env: one warning on stderr of the process, each with its did-you-mean, no value",
      async () => {
        await withRealTempDir(async (dir) => {
          await envFile(
            join(dir, ".env"),
            `AUTH_CACHEDIR=/tmp/${TYPO_VALUE}\nauth_min_ttl_sec=5\n`,
          );
          const [run] = await inDir(dir, () =>
            h.runClients(1, ["config"], { CLIENT_KEY, AUTH_BSAE: TYPO_BASE }),
          );
          assert.ok(run);
          recordOutput(run.stderr);
          // The typo is still not a setting: the key would go to the default gateway, so say it.
          const config = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}");
          assert.notEqual(config.authBase, TYPO_BASE, run.stdout);
          const lines = warningLines(run.stderr);
          assert.equal(lines.length, 1, run.stderr);
          const [line] = lines as [string];
          assert.match(line, /AUTH_BSAE in the environment[^(]*\(did you mean AUTH_BASE\?\)/);
          assert.match(
            line,
            /AUTH_CACHEDIR in [^(]*the env file \.\/\.env \(did you mean AUTH_CACHE_DIR\?\)/,
          );
          assert.match(line, /auth_min_ttl_sec in [^(]*\(did you mean AUTH_MIN_TTL_SEC\?\)/);
          assert.ok(!run.stderr.includes(TYPO_VALUE), run.stderr);
          assert.ok(!run.stderr.includes(CLIENT_KEY), run.stderr);
        });
      },
    );

    it(h, "a typo in a skills folder's _shared/.env is named with that file", async () => {
      await withRealTempDir(async (root) => {
        const scripts = join(root, "skills", "a-skill", "scripts");
        await mkdir(scripts, { recursive: true });
        await mkdir(join(root, "skills", "_shared"));
        const shared = await envFile(
          join(root, "skills", "_shared", ".env"),
          `CLIENT_KEY=${CLIENT_KEY}\nAUTH_SCOPES=${TYPO_VALUE}\n`,
        );
        const [run] = await inDir(scripts, () => h.runClients(1, ["config"], {}));
        assert.ok(run);
        recordOutput(run.stderr);
        const lines = warningLines(run.stderr);
        assert.equal(lines.length, 1, run.stderr);
        assert.ok(
          lines[0]?.includes(
            `AUTH_SCOPES in the shared env file ${shared} (did you mean AUTH_SCOPE?)`,
          ),
          run.stderr,
        );
        assert.ok(!run.stderr.includes(TYPO_VALUE), run.stderr);
      });
    });

    it(
      h,
      "an --env-file's typo: onWarning and a config.warning event, the first time only",
      async () => {
        await withTempDir(async (dir) => {
          const file = await envFile(join(dir, "skill.env"), `AUTH_TIMEOUT=${TYPO_VALUE}\n`);
          const env = { CLIENT_KEY, AUTH_ISUSER: TYPO_VALUE };
          const { warnings, events } = collect((onWarning) => {
            for (let i = 0; i < 3; i++) api.createEnvConfig(env, { envFile: file, onWarning });
          });
          assert.equal(warnings.length, 1, warnings.join("\n"));
          const [warning] = warnings as [string];
          assert.match(warning, /AUTH_ISUSER in the environment \(did you mean AUTH_ISSUER\?\)/);
          assert.match(
            warning,
            /AUTH_TIMEOUT in the env file named by envFile \(--env-file\) \(did you mean AUTH_TIMEOUT_MS\?\)/,
          );
          assert.ok(!warning.includes(TYPO_VALUE) && !warning.includes(file), warning);
          assert.deepEqual(events, [{ type: "config.warning", message: warning }]);
        });
      },
    );

    it(
      h,
      "CLIENT_KYE: the warning names CLIENT_KEY before the error says it is missing",
      async () => {
        const { warnings } = collect((onWarning) => {
          const error = (() => {
            try {
              api.createEnvConfig({ CLIENT_KYE: CLIENT_KEY }, { envFile: false, onWarning });
            } catch (thrown) {
              return thrown;
            }
            return undefined;
          })();
          assert.ok(error instanceof api.ConfigError);
          recordOutput(error.message);
        });
        assert.equal(warnings.length, 1);
        assert.match(
          warnings[0] ?? "",
          /CLIENT_KYE in the environment \(did you mean CLIENT_KEY\?\)/,
        );
        assert.ok(!warnings[0]?.includes(CLIENT_KEY), warnings[0]);
      },
    );

    it(h, "every variable of the table, other families and blank values: no warning", async () => {
      await withTempDir(async (dir) => {
        const file = await envFile(
          join(dir, "all.env"),
          "AUTH_SCOPE=read\nAUTH_AUDIENCE=api\nAUTH_DEBUG=0\nOPENCLAW_TEST_X=1\n",
        );
        const env: Record<string, string> = {
          CLIENT_KEY,
          AUTH_BASE: "https://gw.example.com",
          AUTH_CACHE_DIR: join(dir, "cache"),
          AUTH_MIN_TTL_SEC: "60",
          AUTH_SESSION_PATH: "/auth/session",
          AUTH_TIMEOUT_MS: "1000",
          AUTH_ALLOWED_ORIGINS: "https://a.example.com",
          AUTH_REDIS_URL: "redis://127.0.0.1:6379",
          AUTH_MAX_TTL_SEC: "600",
          AUTH_GRANT: "session",
          AUTH_ISSUER: "https://idp.example.com",
          AUTH_CLIENT_ID: "svc",
          AUTH_CLIENT_AUTH: "client_secret_post",
          AUTH_RESOURCE: "https://api.example.com",
          AUTH_TOKEN_URL: "/oauth/token",
          // Not of the families, or blank (unset): nothing to say.
          AUTHOR: "x",
          AUTHORIZATION_HINT: "x",
          CLIENTELE: "x",
          OPENCLAW_TEST_ONLY: "1",
          AUTH_BSAE: "  ",
          "AUTH_WITH-DASH": "x",
        };
        const { warnings, events } = collect((onWarning) => {
          api.createEnvConfig(env, { envFile: file, onWarning });
        });
        assert.deepEqual(warnings, []);
        assert.deepEqual(events, []);
      });
    });
  });

  h.t.describe("config: booleans take the usual spellings", () => {
    it(
      h,
      "AUTH_DEBUG from a .env file: 1/true/yes/on are on, 0/false/no/off off, any case",
      async () => {
        await withTempDir(async (dir) => {
          const spellings: [string, boolean][] = [
            ["1", true],
            ["true", true],
            ["TRUE", true],
            ["yes", true],
            ["Yes", true],
            ["on", true],
            ["ON", true],
            ["0", false],
            ["false", false],
            ["False", false],
            ["no", false],
            ["off", false],
            ["OFF", false],
          ];
          for (const [text, on] of spellings) {
            const file = await envFile(join(dir, `${text}.env`), `AUTH_DEBUG=${text}\n`);
            const config = api.createEnvConfig({ CLIENT_KEY }, { envFile: file });
            assert.equal(config.debug, on, `AUTH_DEBUG=${text}`);
            assert.equal(config.sources.AUTH_DEBUG?.kind, "env-file");
          }
          // From the environment, with white space around.
          assert.equal(
            api.createEnvConfig({ CLIENT_KEY, AUTH_DEBUG: " yes " }, { envFile: false }).debug,
            true,
          );
        });
      },
    );

    it(
      h,
      "any other AUTH_DEBUG is a ConfigError naming the variable and the spellings, not the value",
      async () => {
        for (const text of ["maybe-VALUE-51d2", "2", "enabled", "y", "-1"]) {
          const error = await caught(() =>
            api.createEnvConfig({ CLIENT_KEY, AUTH_DEBUG: text }, { envFile: false }),
          );
          assert.ok(error instanceof api.ConfigError, error.message);
          assert.equal((error as { code?: string }).code, "CONFIG_ERROR");
          assert.equal(
            error.message,
            "AUTH_DEBUG must be 1, true, yes or on (on), or 0, false, no or off (off), in any case",
          );
        }
      },
    );

    it(h, "AUTH_DEBUG=true in a process's environment prints the debug lines", async () => {
      await withFixture(h, {}, async (f) => {
        const [run] = await h.runClients(1, ["token"], { ...f.env, AUTH_DEBUG: "true" });
        assert.ok(run);
        recordOutput(run.stderr);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /openclaw-auth: token\.acquired source=network/);
      });
    });
  });

  h.t.describe("config: ~ in a path setting is the home dir", () => {
    it(
      h,
      "AUTH_CACHE_DIR=~/.cache/openclaw-auth in a .env file: the token is cached under HOME, no ./~",
      async () => {
        await withFixture(h, {}, async (f) => {
          const home = join(f.root, "home");
          const work = join(f.root, "work");
          await mkdir(home);
          await mkdir(work);
          await envFile(join(work, ".env"), "AUTH_CACHE_DIR=~/.cache/openclaw-auth\n");
          const config = inDir(work, () =>
            api.createEnvConfig({ CLIENT_KEY, AUTH_BASE: f.gateway.url, HOME: home }),
          );
          const expected = join(home, ".cache", "openclaw-auth");
          assert.equal(config.cacheDir, expected);
          assert.equal(config.sources.AUTH_CACHE_DIR?.kind, "env-file");
          await api.getAccessToken({ config });
          assert.ok(existsSync(documentedCachePath(expected, f.gateway.url, CLIENT_KEY)));
          assert.deepEqual(await readdir(work), [".env"]);
        });
      },
    );

    it(
      h,
      "~ alone and ~/ from the environment and from createConfig; a relative path stays relative",
      async () => {
        await withTempDir(async (home) => {
          const fromEnv = (dir: string) =>
            api.createEnvConfig({ CLIENT_KEY, AUTH_CACHE_DIR: dir, HOME: home }, { envFile: false })
              .cacheDir;
          assert.equal(fromEnv("~"), home);
          assert.equal(fromEnv("~/"), home);
          assert.equal(fromEnv("~/a/b/"), join(home, "a", "b"));
          // Only a leading ~ is the home dir.
          assert.equal(fromEnv("/srv/~/x"), "/srv/~/x");
          // A relative path is the working dir's (documented), as it always was.
          assert.equal(fromEnv("cache/x"), "cache/x");
          const processHome = process.env.HOME;
          if (processHome) {
            const fromOptions = api.createConfig({ clientKey: CLIENT_KEY, cacheDir: "~/x" });
            assert.equal(fromOptions.cacheDir, join(processHome, "x"));
            // An env without HOME: the process's.
            const noHome = api.createEnvConfig(
              { CLIENT_KEY, AUTH_CACHE_DIR: "~/y" },
              { envFile: false },
            );
            assert.equal(noHome.cacheDir, join(processHome, "y"));
          }
        });
      },
    );

    it(
      h,
      "~user is a ConfigError saying only ~ and ~/ are expanded, in the environment and in createConfig",
      async () => {
        const rule = "may start with ~ or ~/ (the home dir) only: ~user is not expanded";
        const fromEnv = await caught(() =>
          api.createEnvConfig({ CLIENT_KEY, AUTH_CACHE_DIR: "~root/cache" }, { envFile: false }),
        );
        assert.ok(fromEnv instanceof api.ConfigError);
        assert.equal(fromEnv.message, `AUTH_CACHE_DIR ${rule}`);
        const fromOptions = await caught(() =>
          api.createConfig({ clientKey: CLIENT_KEY, cacheDir: "~nobody" }),
        );
        assert.ok(fromOptions instanceof api.ConfigError);
        assert.equal(fromOptions.message, `cacheDir ${rule}`);
      },
    );
  });
}
