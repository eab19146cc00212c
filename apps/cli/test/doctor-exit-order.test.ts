/**
 * doctor's exit code is that of its first failing check, in the order config, cache dir,
 * gateway: a bad config or cache dir (2) outranks a refused key (3) or a dead gateway (4).
 */
import { describe, expect, test } from "bun:test";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { closedPortUrl, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

type Problem = "no key" | "bad dir" | "dead gateway" | "refused key";

/** The environment with `problems`: each one check can fail by. */
async function envWith(problems: readonly Problem[]): Promise<Record<string, string | undefined>> {
  const env: Record<string, string | undefined> = { AUTH_TIMEOUT_MS: "2000" };
  if (problems.includes("no key")) env.CLIENT_KEY = undefined;
  if (problems.includes("refused key")) env.CLIENT_KEY = "ck-wrong-Q9z7xK2m";
  if (problems.includes("dead gateway")) env.AUTH_BASE = await closedPortUrl();
  if (problems.includes("bad dir")) {
    // A symlink: the runtime does not use it, doctor fails it.
    const real = join(fx.dir, "real");
    await mkdir(real, { mode: 0o700 });
    await symlink(real, fx.cacheDir);
  }
  return env;
}

const cases: [Problem[], number, string[]][] = [
  [["no key", "bad dir"], 2, ["fail", "fail", "ok"]],
  [["bad dir", "dead gateway"], 2, ["ok", "fail", "fail"]],
  [["bad dir", "refused key"], 2, ["ok", "fail", "fail"]],
  [["no key", "dead gateway"], 2, ["fail", "ok", "fail"]],
  [["no key", "bad dir", "dead gateway"], 2, ["fail", "fail", "fail"]],
  [["refused key"], 3, ["ok", "ok", "fail"]],
  [["dead gateway"], 4, ["ok", "ok", "fail"]],
  [["refused key", "dead gateway"], 4, ["ok", "ok", "fail"]],
];

describe("doctor exits with the code of its first failing check", () => {
  for (const [problems, code, levels] of cases) {
    test(
      `${problems.join(" + ")}: exit ${code}, in text and --json`,
      async () => {
        const env = await envWith(problems);
        const json = await fx.run(["doctor", "--json"], { env });
        expect(json.code, json.stdout).toBe(code);
        const report = JSON.parse(json.stdout) as {
          ok: boolean;
          exitCode: number;
          checks: { check: string; level: string }[];
        };
        expect(report).toMatchObject({ ok: code === 0, exitCode: code });
        const { checks } = report;
        expect(checks.map((c) => c.check)).toEqual(["config", "cache dir", "gateway"]);
        expect(checks.map((c) => c.level)).toEqual(levels);
        expect((await fx.run(["doctor"], { env })).code).toBe(code);
      },
      TIMEOUT_MS,
    );
  }
});
