/**
 * Smoke test of the benchmarks: `bun run bench -- --json --quick` runs every benchmark at tiny
 * sizes (the peers and the soak included) and prints one JSON object with every documented key
 * as a number. No timing is judged.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REQUIRED_KEYS } from "../src/report.ts";

const repoDir = join(import.meta.dir, "../..");

test("bun run bench -- --json --quick prints only JSON, with every key a number and no client key", async () => {
  const child = Bun.spawn(["bun", "run", "bench", "--", "--json", "--quick"], {
    cwd: repoDir,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(code, stderr).toBe(0);
  const results = JSON.parse(stdout) as Record<string, unknown>;
  for (const key of REQUIRED_KEYS) {
    expect(typeof results[key], key).toBe("number");
    expect(Number.isFinite(results[key]), key).toBe(true);
  }
  // Correctness, not speed: single flight holds at any size. (The naive port's count depends
  // on timing, so it is only reported.)
  expect(results.storm_in_process_token_requests).toBe(1);
  expect(results.storm_processes_token_requests).toBe(1);
  expect(results.oauth_storm_processes_token_requests).toBe(1);
  // Every round of the storms timed against the naive port, notified and polling alike.
  expect(results.storm_processes_vs_naive_token_requests).toBe(1);
  expect(results.fleet_storm_vs_naive_token_requests).toBe(1);
  // openid-client keeps no token between processes: one token request each.
  expect(results.peer_openid_storm_processes_token_requests).toBe(results.storm_processes);
  // No call of the soak may fail, however the tokens expire or are refused. (Whether the token
  // requests match expiries plus refusals depends on timing at these sizes, so it is reported.)
  expect(results.soak_failed_calls).toBe(0);
  expect(results.node_soak_failed_calls).toBe(0);
  expect(`${stdout}${stderr}`).not.toContain("CANARY");
}, 120_000);
