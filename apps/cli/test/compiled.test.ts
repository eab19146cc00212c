/**
 * The single-file executable: built here with the package's own build command (into a temp dir,
 * so the test never runs a stale dist/), then run like a user would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { CLI_DIR, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const BUILD_TIMEOUT_MS = 180_000;
let buildDir: string;
let exe: string;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "openclaw-cli-build-"));
  exe = join(buildDir, "openclaw-auth");
  // The `build` script of package.json, with the output moved to the temp dir.
  const build = pkg.scripts.build.replace("dist/openclaw-auth", exe).split(" ");
  const child = Bun.spawn(build, { cwd: CLI_DIR, stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`build failed (${code}): ${stderr}`);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

describe("the compiled executable", () => {
  test(
    "runs --version",
    async () => {
      const run = await fx.run(["--version"], { cmd: [exe] });
      expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    },
    TIMEOUT_MS,
  );

  test(
    "gets a token, then serves it from the cache, with the same exit codes",
    async () => {
      const cold = await fx.run(["token", "--json"], { cmd: [exe] });
      expect(cold.code, cold.stderr).toBe(0);
      expect(JSON.parse(cold.stdout).source).toBe("network");
      const warm = await fx.run(["token", "--json"], { cmd: [exe] });
      expect(JSON.parse(warm.stdout).source).toBe("cache");
      const usage = await fx.run(["tokn"], { cmd: [exe] });
      expect(usage.code).toBe(2);
    },
    TIMEOUT_MS,
  );
});
