/**
 * Whole-process figures: `bun apps/cli token` on a warm cache against a bare `bun -e 0`, spawned
 * alternately. Wall time is measured by the parent around plain spawns. Peak RSS comes from
 * separate spawns under GNU `/usr/bin/time -f %M`: the child's `ru_maxrss` as wait4 reports it
 * to `time`, its direct parent. (Bun's own `resourceUsage().maxRSS` was not used: in a process
 * that has reaped other children it reported the same figure for every child.)
 */
import { join } from "node:path";
import { median } from "./rounds.ts";

export interface CliStartOptions {
  readonly gatewayUrl: string;
  readonly clientKey: string;
  /** An empty cache dir, also the children's working directory (so no stray .env is read). */
  readonly cacheDir: string;
  /** Spawns of each command. */
  readonly runs: number;
}

export interface CliStartResult {
  readonly cliTokenMs: number;
  readonly bunStartMs: number;
  /** The median over rounds of cli / `bun -e 0`, each round's two spawns back to back. */
  readonly cliTokenVsBunStart: number;
  readonly cliTokenRssMb: number;
  readonly bunStartRssMb: number;
  readonly runs: number;
}

const cliDir = join(import.meta.dir, "../../apps/cli");

const GNU_TIME = "/usr/bin/time";

/** Spawns of each command under GNU time, at most. */
export const RSS_RUNS = 15;

interface Spawned {
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function timedSpawn(
  cmd: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Spawned> {
  const started = performance.now();
  const child = Bun.spawn(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited with ${code}: ${stderr.trim()}`);
  return { ms, stdout, stderr };
}

/** Peak RSS in MB of one run of `cmd`, from GNU time's `%M` (kilobytes) on its last stderr line. */
export async function peakRssMb(
  cmd: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<number> {
  const run = await timedSpawn([GNU_TIME, "-f", "%M", ...cmd], cwd, env);
  const kb = Number(run.stderr.trim().split("\n").at(-1));
  if (!Number.isFinite(kb)) throw new Error(`cli start: no %M figure from ${GNU_TIME}`);
  return kb / 1024;
}

export async function measureCliStart(options: CliStartOptions): Promise<CliStartResult> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    CLIENT_KEY: options.clientKey,
    AUTH_BASE: options.gatewayUrl,
    AUTH_CACHE_DIR: options.cacheDir,
  };
  const cli = ["bun", cliDir, "token"];
  const bare = ["bun", "-e", "0"];
  // The first call fetches the token; every measured call after it is served by the cache.
  const first = await timedSpawn(cli, options.cacheDir, env);
  const token = first.stdout.trim();
  if (token === "") throw new Error("cli start: `token` printed no token");

  const cliMs: number[] = [];
  const bareMs: number[] = [];
  const cliRss: number[] = [];
  const bareRss: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    // Alternate which goes first, so drift in the machine's load falls on both alike.
    const order = i % 2 === 0 ? [cli, bare] : [bare, cli];
    for (const cmd of order) {
      const run = await timedSpawn(cmd, options.cacheDir, env);
      if (cmd === cli && run.stdout.trim() !== token) {
        throw new Error("cli start: the cache was not warm");
      }
      (cmd === cli ? cliMs : bareMs).push(run.ms);
    }
  }
  // Peak RSS hardly varies from run to run (unlike time): fewer spawns do.
  for (let i = 0; i < Math.min(options.runs, RSS_RUNS); i++) {
    const order = i % 2 === 0 ? [cli, bare] : [bare, cli];
    for (const cmd of order) {
      (cmd === cli ? cliRss : bareRss).push(await peakRssMb(cmd, options.cacheDir, env));
    }
  }
  const cliTokenMs = median(cliMs);
  const bunStartMs = median(bareMs);
  return {
    cliTokenMs,
    bunStartMs,
    // Per round, not median/median: a round's two spawns meet the same load from the machine.
    cliTokenVsBunStart: median(cliMs.map((ms, i) => ms / (bareMs[i] as number))),
    cliTokenRssMb: median(cliRss),
    bunStartRssMb: median(bareRss),
    runs: options.runs,
  };
}
