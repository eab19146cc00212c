/**
 * The memory bound, as a real process's peak RSS: bench/src/bomb-rss.ts runs a fresh Bun and a
 * fresh Node client against a bomb in each content coding (1 GiB inflated) served by another
 * process, and reads each child's peak from outside, including two seconds after the error.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const script = join(import.meta.dir, "../../../../bench/src/bomb-rss.ts");

interface Run {
  runtime: string;
  scenario: string;
  encoding?: string;
  peakRssMb: number;
  afterRssMb: number;
  outcome: string;
}

const ENCODINGS = ["br", "deflate", "gzip", "zstd"];

/** The bytes as sent: what a runtime whose fetch does not decode a coding (zstd on Node 20) reads. */
function asSent(run: Run, wireBytes: Record<string, number>): boolean {
  const characters = /^HTTP 200, (\d+) characters$/.exec(run.outcome)?.[1];
  return characters !== undefined && Number(characters) <= (wireBytes[run.encoding ?? ""] ?? 0);
}

test("a bomb in each coding (gzip, deflate, br, zstd) from the API or the token endpoint keeps a fresh Bun and Node process under 300 MB peak RSS, during and after the error naming the cap", async () => {
  const child = Bun.spawn([process.execPath, script, "--json"], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(code, stderr).toBe(0);
  const { limitMb, wireBytes, runs } = JSON.parse(stdout) as {
    limitMb: number;
    wireBytes: Record<string, number>;
    runs: Run[];
  };
  expect(limitMb).toBe(300);
  for (const run of runs) {
    console.log(
      `${run.runtime} ${run.scenario} ${run.encoding ?? ""}: peak ${run.peakRssMb} MB, after ${run.afterRssMb} MB`,
    );
  }
  for (const runtime of ["bun", "node"]) {
    for (const scenario of ["api", "token"]) {
      const bombs = runs.filter((run) => run.runtime === runtime && run.scenario === scenario);
      expect(bombs.map((run) => run.encoding).sort()).toEqual(ENCODINGS);
      for (const run of bombs) {
        const what = `${runtime} ${scenario} ${run.encoding}: ${run.outcome}`;
        if (scenario === "api") {
          expect(
            run.outcome.startsWith(
              "ApiError: API response body is larger than maxResponseBytes (33554432 bytes",
            ) || asSent(run, wireBytes),
            what,
          ).toBe(true);
        } else {
          expect(
            run.outcome.startsWith("AuthSessionError: Auth session response exceeded 64 KiB") ||
              run.outcome.startsWith("AuthSessionError: Missing accessToken"),
            what,
          ).toBe(true);
        }
        // Bun decodes every coding; a bomb there must meet the cap.
        if (runtime === "bun") expect(run.outcome, what).not.toStartWith("HTTP 200");
        expect(run.peakRssMb, `${what}: ${run.peakRssMb} MB`).toBeLessThan(limitMb);
        expect(run.afterRssMb, `${what}: ${run.afterRssMb} MB`).toBeLessThan(limitMb);
      }
    }
  }
}, 300_000);
