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

/** Two commands' whole-process figures, measured side by side. */
export interface SideBySide {
  /** Median wall times. */
  readonly oursMs: number;
  readonly baselineMs: number;
  /** The median over rounds of ours / baseline, each round's two spawns back to back. */
  readonly ratio: number;
  /** Median peak RSS. */
  readonly oursRssMb: number;
  readonly baselineRssMb: number;
}

/**
 * `runs` rounds of one spawn of each command, alternating which goes first, then up to
 * {@link RSS_RUNS} rounds under GNU time for peak RSS. `check` sees each timed run's output.
 */
export async function sideBySide(
  ours: string[],
  baseline: string[],
  runs: number,
  cwd: string,
  env: Record<string, string>,
  check: (cmd: string[], stdout: string) => void,
): Promise<SideBySide> {
  const oursMs: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so drift in the machine's load falls on both alike.
    const order = i % 2 === 0 ? [ours, baseline] : [baseline, ours];
    for (const cmd of order) {
      const run = await timedSpawn(cmd, cwd, env);
      check(cmd, run.stdout);
      (cmd === ours ? oursMs : baselineMs).push(run.ms);
    }
  }
  const oursRss: number[] = [];
  const baselineRss: number[] = [];
  // Peak RSS hardly varies from run to run (unlike time): fewer spawns do.
  for (let i = 0; i < Math.min(runs, RSS_RUNS); i++) {
    const order = i % 2 === 0 ? [ours, baseline] : [baseline, ours];
    for (const cmd of order) {
      (cmd === ours ? oursRss : baselineRss).push(await peakRssMb(cmd, cwd, env));
    }
  }
  return {
    oursMs: median(oursMs),
    baselineMs: median(baselineMs),
    // Per round, not median/median: a round's two spawns meet the same load from the machine.
    ratio: median(oursMs.map((ms, i) => ms / (baselineMs[i] as number))),
    oursRssMb: median(oursRss),
    baselineRssMb: median(baselineRss),
  };
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

  const r = await sideBySide(cli, bare, options.runs, options.cacheDir, env, (cmd, stdout) => {
    if (cmd === cli && stdout.trim() !== token)
      throw new Error("cli start: the cache was not warm");
  });
  return {
    cliTokenMs: r.oursMs,
    bunStartMs: r.baselineMs,
    cliTokenVsBunStart: r.ratio,
    cliTokenRssMb: r.oursRssMb,
    bunStartRssMb: r.baselineRssMb,
    runs: options.runs,
  };
}
