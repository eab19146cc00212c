/**
 * The memory bound, as a real process's peak RSS: bench/src/bomb-rss.ts runs a Bun and a Node
 * client against a gzip bomb served by another process (1 MB on the wire, 1 GiB inflated).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const script = join(import.meta.dir, "../../../bench/src/bomb-rss.ts");

interface Run {
  runtime: string;
  scenario: string;
  peakRssMb: number;
  outcome: string;
}

test("a 1 MB gzip bomb from the API or the token endpoint keeps a Bun and a Node process under 300 MB peak RSS, with an error naming the cap", async () => {
  const child = Bun.spawn([process.execPath, script, "--json"], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(code, stderr).toBe(0);
  const { limitMb, runs } = JSON.parse(stdout) as { limitMb: number; runs: Run[] };
  expect(limitMb).toBe(300);
  for (const run of runs) console.log(`${run.runtime} ${run.scenario}: ${run.peakRssMb} MB`);
  const bombs = runs.filter((run) => run.scenario === "api");
  expect(bombs.map((run) => run.runtime).sort()).toEqual(["bun", "node"]);
  for (const run of bombs) {
    expect(run.outcome).toStartWith(
      "ApiError: API response body is larger than maxResponseBytes (33554432 bytes",
    );
    expect(run.peakRssMb, `${run.runtime}: ${run.peakRssMb} MB`).toBeLessThan(limitMb);
  }
  const tokenBombs = runs.filter((run) => run.scenario === "token");
  expect(tokenBombs.map((run) => run.runtime).sort()).toEqual(["bun", "node"]);
  for (const run of tokenBombs) {
    expect(run.outcome).toStartWith("AuthSessionError: Auth session response exceeded 64 KiB");
    expect(run.peakRssMb, `${run.runtime}: ${run.peakRssMb} MB`).toBeLessThan(limitMb);
  }
}, 240_000);
