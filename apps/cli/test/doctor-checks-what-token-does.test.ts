/**
 * `doctor` says what `token` will do: a cache dir it cannot write in (or create, or even look
 * at) is a warning that tokens stay in memory, never an `ok` and never a crash; a dead proxy is
 * named as what did not answer. The mode cases run where modes bind, as root too (modes.ts).
 */
import { describe, expect, test } from "bun:test";
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { closedPortUrl, TIMEOUT_MS, useFixture } from "./helpers.ts";
import { CLI_BOUND_BY_MODES } from "./modes.ts";

const fx = useFixture();

interface Report {
  readonly checks: { check: string; level: string; message: string }[];
}

/** doctor's text report, line by line: `<level>  <check>: <message>`. */
function parseReport(stdout: string): Report {
  const checks = stdout
    .trimEnd()
    .split("\n")
    .map((line) => /^(\w+)\s+(config|cache dir|gateway): (.*)$/.exec(line))
    .map((match) => ({
      level: match?.[1] ?? "",
      check: match?.[2] ?? "",
      message: match?.[3] ?? "",
    }));
  return { checks };
}

const cacheDirCheck = (report: Report) => report.checks.find((c) => c.check === "cache dir");

/** Runs `doctor` and `token` bound by modes with AUTH_CACHE_DIR=`dir`. */
async function doctorAndToken(dir: string, env: Record<string, string | undefined> = {}) {
  const options = { cmd: CLI_BOUND_BY_MODES, env: { AUTH_CACHE_DIR: dir, ...env } };
  const doctor = await fx.run(["doctor"], options);
  const token = await fx.run(["token"], options);
  return { doctor, report: parseReport(doctor.stdout), token };
}

describe("doctor's cache-dir check matches what token does", () => {
  test(
    "an own cache dir of mode 0500 is a warning that tokens stay in memory, as token warns",
    async () => {
      const dir = join(fx.dir, "readonly");
      await mkdir(dir, { mode: 0o500 });
      const { doctor, report, token } = await doctorAndToken(dir);
      expect(doctor.code, doctor.stdout).toBe(0);
      expect(cacheDirCheck(report)).toMatchObject({ level: "warn" });
      expect(cacheDirCheck(report)?.message).toContain(
        `not using cache dir ${dir}: cannot write in it (EACCES`,
      );
      expect(cacheDirCheck(report)?.message).toContain("tokens are kept in memory only");
      expect(token.code).toBe(0);
      expect(token.stderr).toContain(`not using cache dir ${dir}: cannot write in it (EACCES)`);
    },
    TIMEOUT_MS,
  );

  test(
    "a missing cache dir that cannot be created (its parent is 0500) is a warning, not ok",
    async () => {
      const parent = join(fx.dir, "readonly");
      await mkdir(parent, { mode: 0o500 });
      const dir = join(parent, "cache");
      const { doctor, report, token } = await doctorAndToken(dir);
      expect(doctor.code, doctor.stdout).toBe(0);
      expect(cacheDirCheck(report)).toMatchObject({ level: "warn" });
      expect(cacheDirCheck(report)?.message).toContain("cannot create it (EACCES)");
      expect(token.code).toBe(0);
      expect(token.stderr).toContain(`not using cache dir ${dir}: cannot create it`);
    },
    TIMEOUT_MS,
  );

  test(
    "a private, writable cache dir and a creatable missing one stay ok",
    async () => {
      const dir = join(fx.dir, "private");
      await mkdir(dir, { mode: 0o700 });
      const own = await doctorAndToken(dir);
      expect(cacheDirCheck(own.report)).toMatchObject({
        level: "ok",
        message: `${dir} is private (0700) and yours`,
      });
      const missing = await doctorAndToken(join(fx.dir, "new", "cache"));
      expect(cacheDirCheck(missing.report)?.level).toBe("ok");
      expect(missing.token.stderr).toBe("");
    },
    TIMEOUT_MS,
  );

  test(
    "a cache dir under an unreadable parent: a warning naming EACCES, then the gateway check",
    async () => {
      const parent = join(fx.dir, "closed");
      await mkdir(join(parent, "sub"), { recursive: true });
      await chmod(parent, 0o000);
      try {
        const dir = join(parent, "sub", "cache");
        const { doctor, report, token } = await doctorAndToken(dir);
        expect(doctor.code, doctor.stderr).toBe(0);
        expect(doctor.stderr).toBe("");
        expect(report.checks.map((c) => [c.check, c.level])).toEqual([
          ["config", "ok"],
          ["cache dir", "warn"],
          ["gateway", "ok"],
        ]);
        expect(cacheDirCheck(report)?.message).toMatch(/cannot look at it \(EACCES\b/);
        expect(token.code).toBe(0);

        // A dead gateway still decides the exit code (4), the text report alike.
        const env = { AUTH_CACHE_DIR: dir, AUTH_BASE: await closedPortUrl() };
        const text = await fx.run(["doctor"], { cmd: CLI_BOUND_BY_MODES, env });
        expect(text.code, text.stderr).toBe(4);
        expect(text.stdout).toMatch(/^warn\s+cache dir: .*EACCES/m);
        expect(text.stdout).toMatch(/^fail\s+gateway: /m);
      } finally {
        await chmod(parent, 0o700);
      }
    },
    TIMEOUT_MS,
  );
});

describe("doctor names a dead proxy (Bun's fetch honours HTTP_PROXY)", () => {
  const PROXY_PASSWORD = "pr0xy-Secret-41";

  test(
    "the gateway line says the request went through the proxy, which did not answer",
    async () => {
      const proxy = await closedPortUrl();
      const withUser = proxy.replace("http://", `http://me:${PROXY_PASSWORD}@`);
      // With a key, the token request; without one (config fails first: exit 2), GET /health.
      for (const [env, code] of [
        [{}, 4],
        [{ CLIENT_KEY: undefined }, 2],
      ] as const) {
        const run = await fx.run(["doctor"], { env: { ...env, HTTP_PROXY: withUser } });
        expect(run.code, run.stdout).toBe(code);
        expect(run.stdout).toMatch(
          new RegExp(
            `^fail\\s+gateway: \\S+: went through the proxy ${proxy} \\(HTTP_PROXY\\), which did not answer \\(`,
            "m",
          ),
        );
        expect(run.stdout).not.toContain(PROXY_PASSWORD);
        expect(run.stdout).not.toContain("no answer");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "NO_PROXY covering the gateway: the gateway is reached directly, no proxy named",
    async () => {
      const proxy = await closedPortUrl();
      const run = await fx.run(["doctor"], { env: { HTTP_PROXY: proxy, NO_PROXY: "127.0.0.1" } });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).not.toContain("proxy");
    },
    TIMEOUT_MS,
  );
});
