/**
 * The CLI's .env files (issues 24 and 27): a ./.env planted in a shared working dir, or given with
 * --env-file, that breaks the runtime's rule is a CONFIG_ERROR naming the file and the rule (never
 * a hang, a flood, or a source of AUTH_BASE); in a skill's folder the skills dir's
 * `_shared/.env` supplies the key, on the warm path too, and `doctor` names where each variable
 * came from.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmod, chown, mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  giveAway,
  isRoot,
  runInUserNamespace,
} from "../../../packages/core/test/fixtures/another-user.ts";
import {
  CLI_DIR,
  CLIENT_KEY,
  expectErrorLine,
  type Run,
  type RunOptions,
  TIMEOUT_MS,
  useFixture,
} from "./helpers.ts";

const fx = useFixture();

/** Where a planted .env would send the key: nothing listens there. */
const PLANTED = "AUTH_BASE=http://127.0.0.1:9/planted\n";
/** A CLI that is refused a file answers at once; one still running after this is stuck on it. */
const BOUND_S = 15;

/**
 * The CLI (`bun apps/cli …`), killed after {@link BOUND_S} s (exit 137) so that a CLI stuck on a
 * FIFO, or reading /dev/zero, fails the test instead of hanging the run. The fixture's
 * environment less AUTH_BASE: a planted file is what would set it.
 */
function runBounded(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return fx.run(args, {
    ...options,
    cmd: ["timeout", "-s", "KILL", String(BOUND_S), process.execPath, CLI_DIR],
    env: { AUTH_BASE: undefined, ...options.env },
  });
}

/** `token` in a dir with a planted ./.env: refused, exit 2, the file and `rule` named. */
async function expectPlantedRefused(rule: RegExp, args = ["token"]): Promise<void> {
  const run = await runBounded(args);
  expect(run.code, run.stderr).toBe(2);
  expectErrorLine(run, "CONFIG_ERROR");
  expect(run.stderr).toContain("Not reading the env file ./.env: ");
  expect(run.stderr).toMatch(rule);
  expect(run.stderr).not.toContain("planted");
  expect(fx.gateway.stats().requests).toEqual({});
}

describe("a ./.env that breaks the rule", () => {
  test(
    "one its group or others may write: CONFIG_ERROR naming it, the key goes nowhere",
    async () => {
      const file = join(fx.dir, ".env");
      await writeFile(file, PLANTED);
      await chmod(file, 0o664);
      await expectPlantedRefused(/it is writable by its group or others \(mode 0664/);
      await chmod(file, 0o606);
      await expectPlantedRefused(/it is writable by its group or others \(mode 0606/);
    },
    TIMEOUT_MS,
  );

  // Only root can give a file away: any other user runs the test again as root of a user
  // namespace of its own (packages/core/test/fixtures/another-user.ts).
  const OWNED = "one owned by another user: CONFIG_ERROR naming the owner";
  test(
    OWNED,
    async () => {
      if (!isRoot) {
        const child = await runInUserNamespace(import.meta.path, OWNED);
        expect(child.output).toContain(" 1 pass");
        expect(child.code).toBe(0);
        return;
      }
      const file = join(fx.dir, ".env");
      await writeFile(file, PLANTED, { mode: 0o644 });
      const giveBack = await giveAway(file);
      try {
        await expectPlantedRefused(/it is owned by another user \(uid 65534\)/);
      } finally {
        giveBack();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a FIFO: CONFIG_ERROR at once, never stuck waiting for a writer (token, doctor, --env-file)",
    async () => {
      const fifo = join(fx.dir, ".env");
      expect(spawnSync("mkfifo", ["-m", "600", fifo]).status).toBe(0);
      await expectPlantedRefused(/it is a FIFO, not a regular file/);
      const doctor = await runBounded(["doctor", "--dry-run"]);
      expect(doctor.code, doctor.stdout).toBe(2);
      expect(doctor.stdout).toContain("it is a FIFO, not a regular file");
      const named = await runBounded(["token", "--env-file", fifo], { cwd: "/" });
      expect(named.code, named.stderr).toBe(2);
      expect(named.stderr).toContain("cannot read the --env-file (it is a FIFO");
    },
    TIMEOUT_MS,
  );

  test(
    "a link to /dev/zero: CONFIG_ERROR at once, not a byte of it read",
    async () => {
      await symlink("/dev/zero", join(fx.dir, ".env"));
      await expectPlantedRefused(/it is a device, not a regular file/);
    },
    TIMEOUT_MS,
  );

  test(
    "one of 65 KiB: CONFIG_ERROR naming the limit",
    async () => {
      await writeFile(join(fx.dir, ".env"), `${PLANTED}#${"x".repeat(65 * 1024)}\n`, {
        mode: 0o600,
      });
      await expectPlantedRefused(/it is larger than 65536 bytes/);
    },
    TIMEOUT_MS,
  );

  test(
    "a directory: CONFIG_ERROR saying so",
    async () => {
      await mkdir(join(fx.dir, ".env"));
      await expectPlantedRefused(/it is a directory, not a regular file/);
    },
    TIMEOUT_MS,
  );
});

describe("a skill's shared _shared/.env", () => {
  /** `<dir>/skills/a-skill/scripts` (the cwd of a skill's script) and `<dir>/skills/_shared/.env`. */
  async function workspace(shared: string) {
    const root = await realpath(fx.dir);
    const scripts = join(root, "skills", "a-skill", "scripts");
    const sharedFile = join(root, "skills", "_shared", ".env");
    await mkdir(scripts, { recursive: true });
    await mkdir(join(root, "skills", "_shared"));
    await writeFile(sharedFile, shared, { mode: 0o600 });
    return { root, scripts, sharedFile };
  }

  test(
    "a script in skills/<skill>/scripts gets a token with the key kept in _shared/.env, warm path included",
    async () => {
      const { scripts } = await workspace(`CLIENT_KEY=${CLIENT_KEY}\n`);
      const env = { CLIENT_KEY: undefined };
      const cold = await fx.run(["token", "--json"], { cwd: scripts, env });
      expect(cold.code, cold.stderr).toBe(0);
      expect(JSON.parse(cold.stdout).source).toBe("network");
      // The warm path alone (the runtime refused to load) serves it from the cache.
      const preload = join(import.meta.dir, "fixtures", "forbid-runtime.ts");
      const warm = await fx.run(["token"], {
        cwd: scripts,
        env,
        cmd: [process.execPath, "--preload", preload, CLI_DIR],
      });
      expect(warm.stderr).toBe("");
      expect(warm).toMatchObject({ code: 0, stdout: `${JSON.parse(cold.stdout).token}\n` });
      expect(fx.gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "doctor names the source of each variable: the environment, then ./.env, then _shared/.env",
    async () => {
      const { scripts, sharedFile } = await workspace(
        `CLIENT_KEY=${CLIENT_KEY}\nAUTH_MIN_TTL_SEC=7\nAUTH_TIMEOUT_MS=700\n`,
      );
      await writeFile(join(scripts, ".env"), "AUTH_MIN_TTL_SEC=5\n", { mode: 0o600 });
      const run = await fx.run(["doctor", "--dry-run"], {
        cwd: scripts,
        env: { CLIENT_KEY: undefined, AUTH_TIMEOUT_MS: undefined },
      });
      expect(run.code, run.stdout).toBe(0);
      const line = run.stdout.split("\n")[0] as string;
      expect(line).toStartWith(`ok    config: CLIENT_KEY from ${sharedFile}; AUTH_BASE http`);
      expect(line).toEndWith(
        `; set in the environment: AUTH_BASE, AUTH_CACHE_DIR; in ${sharedFile}: CLIENT_KEY, AUTH_TIMEOUT_MS; in .env: AUTH_MIN_TTL_SEC`,
      );
      // The values are not shown.
      expect(line).not.toMatch(/\b(5|7|700)\b/);
    },
    TIMEOUT_MS,
  );

  test(
    "a working dir outside a skill's folder never reads it: CLIENT_KEY is required",
    async () => {
      const { root } = await workspace(`CLIENT_KEY=${CLIENT_KEY}\n`);
      for (const cwd of [root, join(root, "skills")]) {
        const run = await fx.run(["token"], { cwd, env: { CLIENT_KEY: undefined } });
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toContain("CLIENT_KEY is required");
      }
      // And from inside a skill it is read: the same workspace, one dir down.
      const inside = await fx.run(["token"], {
        cwd: join(root, "skills", "a-skill"),
        env: { CLIENT_KEY: undefined },
      });
      expect(inside.code, inside.stderr).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "a _shared/.env that breaks the rule is a CONFIG_ERROR naming it",
    async () => {
      const { scripts, sharedFile } = await workspace(`CLIENT_KEY=${CLIENT_KEY}\n`);
      if (isRoot) await chown(sharedFile, 65534, 65534);
      else await chmod(sharedFile, 0o620);
      const run = await runBounded(["token"], { cwd: scripts, env: { CLIENT_KEY: undefined } });
      expect(run.code, run.stderr).toBe(2);
      expectErrorLine(run, "CONFIG_ERROR");
      expect(run.stderr).toContain(`Not reading the shared env file ${sharedFile}: it is `);
    },
    TIMEOUT_MS,
  );
});
