/**
 * `.env` files (issues 24 and 27): a file planted in a shared working dir (another user's, one
 * others may write, a FIFO, a link to a device, a huge one, a directory) is a ConfigError that
 * names the file and the rule, never a source of `AUTH_BASE`, a hang or a flood; and a process in
 * a skill's folder finds the key in the skills dir's `_shared/.env`, after the environment and
 * `./.env`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, statSync } from "node:fs";
import { chmod, chown, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { CLIENT_KEY, caught, inDir, it, recordOutput, withRealTempDir } from "../support.ts";
import type { Harness } from "../types.ts";

/** Where a planted `.env` would send the victim's key. */
const PLANTED_BASE = "http://127.0.0.1:9/planted";
const PLANTED = `AUTH_BASE=${PLANTED_BASE}\n`;
/** How long a child may take to refuse a file: it refuses at once, or it is stuck. */
const CHILD_BOUND_MS = 10_000;

type Sources = EnvConfig["sources"];

interface ChildConfig {
  readonly authBase?: string;
  readonly clientKeySource?: string;
  readonly sources?: Sources;
  readonly error?: { readonly name?: string; readonly code?: string; readonly message?: string };
}

/** A `_shared/.env` beside a skill, and that skill's scripts dir (created). */
async function skillsWorkspace(root: string, shared: string) {
  const scripts = join(root, "skills", "a-skill", "scripts");
  const sharedFile = join(root, "skills", "_shared", ".env");
  await mkdir(scripts, { recursive: true });
  await mkdir(join(root, "skills", "_shared"));
  await writeFile(sharedFile, shared, { mode: 0o600 });
  return { scripts, sharedFile };
}

export function envFilesSuite(h: Harness): void {
  const { api } = h;

  /** The ConfigError a process working in `dir` gets from its config (the test fails on none). */
  async function refusedIn(dir: string, env: Record<string, string> = { CLIENT_KEY }) {
    const error = await caught(() => inDir(dir, () => api.createEnvConfig(env)));
    assert.ok(error instanceof api.ConfigError, `expected a ConfigError, got ${error.message}`);
    assert.ok(!error.message.includes(CLIENT_KEY), error.message);
    assert.ok(!error.message.includes("planted"), error.message);
    return error;
  }

  /** A ./.env planted in `dir` is refused, the message naming the file and `rule`. */
  async function plantedRefused(dir: string, rule: RegExp): Promise<void> {
    const error = await refusedIn(dir);
    assert.match(error.message, /^Not reading the env file \.\/\.env: /);
    assert.match(error.message, rule);
  }

  /**
   * The config line of a child of the runtime started in `dir` (`config` of the client
   * protocol). Bounded: a child still running after {@link CHILD_BOUND_MS} is stuck on the file;
   * `unblock` then lets it go on (a FIFO opened for writing and closed), and the test fails
   * without leaving it behind.
   */
  async function childConfigIn(
    dir: string,
    env: Record<string, string>,
    unblock: () => void = () => {},
  ): Promise<ChildConfig> {
    const runs = inDir(dir, () => h.runClients(1, ["config"], env));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<"stuck">((resolve) => {
      timer = setTimeout(() => resolve("stuck"), CHILD_BOUND_MS);
    });
    const outcome = await Promise.race([runs, stuck]);
    clearTimeout(timer);
    if (outcome === "stuck") {
      unblock();
      await runs;
      assert.fail(`the ${h.runtime} process was stuck on the .env file for ${CHILD_BOUND_MS} ms`);
    }
    const [run] = outcome;
    assert.ok(run);
    recordOutput(run.stdout);
    recordOutput(run.stderr);
    const last = run.stdout.trim().split("\n").pop() ?? "";
    assert.ok(last.startsWith("{"), `no config line: ${run.stdout} ${run.stderr}`);
    return JSON.parse(last) as ChildConfig;
  }

  function assertChildRefused(child: ChildConfig, rule: RegExp): void {
    assert.equal(child.authBase, undefined, "the planted AUTH_BASE was taken");
    assert.equal(child.error?.name, "ConfigError");
    assert.match(child.error?.message ?? "", /^Not reading the env file \.\/\.env: /);
    assert.match(child.error?.message ?? "", rule);
  }

  h.t.describe(".env files: the rule", () => {
    it(h, "a ./.env others may write is refused: its AUTH_BASE never gets the key", async () => {
      await withRealTempDir(async (dir) => {
        const file = join(dir, ".env");
        for (const mode of [0o664, 0o646, 0o666]) {
          await writeFile(file, PLANTED);
          await chmod(file, mode);
          await plantedRefused(dir, /writable by its group or others \(mode 0\d{3}/);
        }
        // The same file, once only its owner may write it, is read.
        await chmod(file, 0o644);
        assert.equal(inDir(dir, () => api.createEnvConfig({ CLIENT_KEY })).authBase, PLANTED_BASE);
      });
    });

    // Root may give a file away (the suite's CI runs as root). Any other user cannot, and checks
    // the rule's other half instead: a file of root's is read like one's own.
    it(h, "a ./.env owned by another user is refused; one of root's is read", async () => {
      await withRealTempDir(async (dir) => {
        const file = join(dir, ".env");
        await writeFile(file, PLANTED, { mode: 0o644 });
        if (process.getuid?.() === 0) {
          await chown(file, 65534, 65534);
          await plantedRefused(dir, /owned by another user \(uid 65534\)/);
          return;
        }
        const rootFile = ["/etc/hostname", "/etc/hosts", "/etc/passwd"].find((path) => {
          const info = statSync(path, { throwIfNoEntry: false });
          return info?.isFile() && info.uid === 0 && (info.mode & 0o022) === 0;
        });
        assert.ok(rootFile, "no small regular file of root's in /etc");
        const config = api.createEnvConfig({ CLIENT_KEY }, { envFile: rootFile });
        assert.equal(config.clientKeySource, "env");
      });
    });

    it(h, "a ./.env larger than 64 KiB is refused; one of exactly 64 KiB is read", async () => {
      await withRealTempDir(async (dir) => {
        const file = join(dir, ".env");
        const padding = (size: number) => `# ${"x".repeat(size - PLANTED.length - 3)}\n`;
        await writeFile(file, `${PLANTED}${padding(65 * 1024)}`, { mode: 0o600 });
        await plantedRefused(dir, /larger than 65536 bytes/);
        await writeFile(file, `${PLANTED}${padding(64 * 1024)}`, { mode: 0o600 });
        assert.equal(inDir(dir, () => api.createEnvConfig({ CLIENT_KEY })).authBase, PLANTED_BASE);
      });
    });

    it(h, "a ./.env that is a directory is refused, naming what it is", async () => {
      await withRealTempDir(async (dir) => {
        await mkdir(join(dir, ".env"));
        await plantedRefused(dir, /it is a directory, not a regular file/);
      });
    });

    it(
      h,
      "a ./.env that is a FIFO is refused at once: the process is never stuck waiting for a writer",
      async () => {
        await withRealTempDir(async (dir) => {
          const fifo = join(dir, ".env");
          const made = spawnSync("mkfifo", ["-m", "600", fifo]);
          assert.equal(made.status, 0, "mkfifo");
          const unblock = () => {
            // A writer that comes and goes: the stuck open returns, its read sees the end.
            closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          };
          const child = await childConfigIn(dir, { CLIENT_KEY }, unblock);
          assertChildRefused(child, /it is a FIFO, not a regular file/);
        });
      },
      CHILD_BOUND_MS + 20_000,
    );

    it(
      h,
      "a ./.env linked to /dev/zero is refused without reading a byte of it",
      async () => {
        await withRealTempDir(async (dir) => {
          await symlink("/dev/zero", join(dir, ".env"));
          const child = await childConfigIn(dir, { CLIENT_KEY });
          assertChildRefused(child, /it is a device, not a regular file/);
        });
      },
      CHILD_BOUND_MS + 20_000,
    );

    it(h, "a ./.env linked to a file of one's own that meets the rule is read", async () => {
      await withRealTempDir(async (dir) => {
        await writeFile(join(dir, "real.env"), PLANTED, { mode: 0o600 });
        await symlink(join(dir, "real.env"), join(dir, ".env"));
        const config = inDir(dir, () => api.createEnvConfig({ CLIENT_KEY }));
        assert.equal(config.authBase, PLANTED_BASE);
        assert.deepEqual(config.sources.AUTH_BASE, { kind: "env-file", path: ".env" });
      });
    });

    it(
      h,
      "an envFile that breaks the rule is refused, named by the option, not its path",
      async () => {
        await withRealTempDir(async (dir) => {
          const envFile = join(dir, `${CLIENT_KEY}.env`);
          await writeFile(envFile, PLANTED);
          await chmod(envFile, 0o666);
          const error = await caught(() => api.createEnvConfig({ CLIENT_KEY }, { envFile }));
          assert.ok(error instanceof api.ConfigError);
          assert.match(
            error.message,
            /^Not reading the env file named by envFile \(--env-file\): it is writable by its group or others/,
          );
          assert.ok(!error.message.includes(dir), error.message);
        });
      },
    );
  });

  h.t.describe(".env files: a skill's shared _shared/.env", () => {
    it(
      h,
      "a process working in skills/<skill>/scripts finds CLIENT_KEY in skills/_shared/.env",
      async () => {
        await withRealTempDir(async (root) => {
          const { scripts, sharedFile } = await skillsWorkspace(root, `CLIENT_KEY=${CLIENT_KEY}\n`);
          const config = inDir(scripts, () => api.createEnvConfig({}));
          assert.equal(config.clientKey, CLIENT_KEY);
          assert.equal(config.clientKeySource, "shared-env-file");
          assert.deepEqual(config.sources.CLIENT_KEY, {
            kind: "shared-env-file",
            path: sharedFile,
          });
          assert.deepEqual(config.sources.AUTH_BASE, { kind: "default" });
          assert.equal(
            inDir(join(root, "skills", "a-skill"), () => api.loadClientKeyFromEnv()),
            process.env.CLIENT_KEY?.trim() || CLIENT_KEY,
          );
          // A process of the runtime started there, as a skill's script is.
          const child = await childConfigIn(scripts, {});
          assert.equal(child.error, undefined, JSON.stringify(child.error));
          assert.equal(child.clientKeySource, "shared-env-file");
          assert.deepEqual(child.sources?.CLIENT_KEY, {
            kind: "shared-env-file",
            path: sharedFile,
          });
        });
      },
    );

    it(h, "the environment wins over ./.env, which wins over _shared/.env", async () => {
      await withRealTempDir(async (root) => {
        const { scripts, sharedFile } = await skillsWorkspace(
          root,
          "CLIENT_KEY=shared-key\nAUTH_MIN_TTL_SEC=7\nAUTH_TIMEOUT_MS=700\nAUTH_MAX_TTL_SEC=3600\n",
        );
        await writeFile(join(scripts, ".env"), "AUTH_MIN_TTL_SEC=5\nAUTH_TIMEOUT_MS=500\n", {
          mode: 0o600,
        });
        const config = inDir(scripts, () =>
          api.createEnvConfig({ AUTH_MIN_TTL_SEC: "3", AUTH_TIMEOUT_MS: " " }),
        );
        assert.deepEqual([config.minTtlSec, config.timeoutMs, config.maxTtlSec], [3, 500, 3600]);
        assert.equal(config.clientKey, "shared-key");
        assert.deepEqual(config.sources.AUTH_MIN_TTL_SEC, { kind: "env" });
        // Blank in the environment counts as unset.
        assert.deepEqual(config.sources.AUTH_TIMEOUT_MS, { kind: "env-file", path: ".env" });
        const shared = { kind: "shared-env-file", path: sharedFile };
        assert.deepEqual(config.sources.AUTH_MAX_TTL_SEC, shared);
        assert.deepEqual(config.sources.CLIENT_KEY, shared);
        const fromEnv = inDir(scripts, () => api.createEnvConfig({ CLIENT_KEY: "env-key" }));
        assert.equal(fromEnv.clientKey, "env-key");
        assert.equal(fromEnv.clientKeySource, "env");
      });
    });

    it(h, "only a working dir in a skill's folder reads _shared/.env, none outside", async () => {
      await withRealTempDir(async (root) => {
        await skillsWorkspace(root, `CLIENT_KEY=${CLIENT_KEY}\n`);
        const outside = join(root, "not-skills", "a-skill", "scripts");
        await mkdir(outside, { recursive: true });
        for (const dir of [root, join(root, "skills"), outside]) {
          const error = await refusedIn(dir, {});
          assert.match(error.message, /^CLIENT_KEY is required/);
        }
        // The skill's folder itself does, at any depth below it.
        const skill = join(root, "skills", "a-skill");
        assert.equal(inDir(skill, () => api.createEnvConfig({})).clientKey, CLIENT_KEY);
        // envFile: false reads no file at all, the shared one included.
        const scripts = join(skill, "scripts");
        const error = await caught(() =>
          inDir(scripts, () => api.createEnvConfig({}, { envFile: false })),
        );
        assert.match(error.message, /^CLIENT_KEY is required/);
      });
    });

    it(h, "a _shared/.env that breaks the rule is a ConfigError naming it", async () => {
      await withRealTempDir(async (root) => {
        const { scripts, sharedFile } = await skillsWorkspace(root, `CLIENT_KEY=${CLIENT_KEY}\n`);
        await chmod(sharedFile, 0o666);
        const error = await refusedIn(scripts, {});
        assert.equal(
          error.message,
          `Not reading the shared env file ${sharedFile}: it is writable by its group or others (mode 0666; chmod go-w fixes it)`,
        );
        // Even when the environment has the key: the file may still set AUTH_BASE.
        await refusedIn(scripts, { CLIENT_KEY: "env-key" });
      });
    });
  });
}
