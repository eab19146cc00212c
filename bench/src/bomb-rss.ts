/**
 * `bun bench/src/bomb-rss.ts [--json]`: the peak RSS of a real process that meets a compression
 * bomb (1 GiB inflated) in each content coding: gzip and deflate (about 1 MB on the wire), br
 * (under 1 KB) and zstd (32 KB). A hostile gateway runs in a process of its own (bomb/server.ts);
 * a fresh Bun child (@openclaw/auth-runtime) and a fresh Node child (the built
 * @openclaw/auth-runtime-node) each call requestApiWithAutoRefresh on it once, then wait two
 * seconds (a decoder that runs on after the cancel does so then), and their peak RSS is read from
 * outside with `/usr/bin/time -f %M` (else from `process.resourceUsage().maxRSS`); the RSS left
 * after the error is the child's own view. Each child also runs once against a small answer, as
 * the baseline, and against a token endpoint that serves each bomb (the token request's cap).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOMB_ENCODINGS, type BombEncoding } from "../../packages/conformance/src/bombs.ts";
import { ensureNodePackageBuilt } from "./node-child.ts";

const benchDir = join(import.meta.dir, "..");
const TIME = "/usr/bin/time";

/** What a process may reach at most with a bomb (issues 13 and 24). */
export const BOMB_RSS_LIMIT_MB = 300;

/** Who serves the bomb: the API, or the token endpoint. */
export type Scenario = "baseline" | "api" | "token";

export interface BombRun {
  readonly runtime: "bun" | "node";
  readonly scenario: Scenario;
  /** The bomb's content coding; undefined for the baseline. */
  readonly encoding: BombEncoding | undefined;
  /** Peak resident set size of the child, in MB (10^6 bytes). */
  readonly peakRssMb: number;
  /** The child's RSS two seconds after the call ended, in MB. */
  readonly afterRssMb: number;
  /** How the peak was read. */
  readonly measuredBy: "/usr/bin/time" | "resourceUsage";
  /** What the call came to: an answer, or the error's name and message. */
  readonly outcome: string;
}

/** The client: one call, then one JSON line with its outcome and its own view of its peak RSS. */
function clientCode(packageName: string): string {
  return `
import { createEnvConfig, requestApiWithAutoRefresh } from "${packageName}";
const env = process.env;
const config = createEnvConfig(
  { AUTH_BASE: env.BOMB_BASE, CLIENT_KEY: "ck-bench-CANARY-5e81d0", AUTH_CACHE_DIR: env.BOMB_CACHE_DIR, AUTH_SESSION_PATH: env.BOMB_SESSION_PATH },
  { envFile: false },
);
let outcome;
try {
  const response = await requestApiWithAutoRefresh({ config, url: env.BOMB_PATH });
  outcome = "HTTP " + response.status + ", " + response.body.length + " characters";
} catch (error) {
  outcome = error.name + ": " + String(error.message).replace(/[^\\x20-\\x7e]/g, "").slice(0, 200);
}
await new Promise((resolve) => setTimeout(resolve, 2000));
console.log(JSON.stringify({ outcome, maxRssKb: process.resourceUsage().maxRSS, afterRss: process.memoryUsage.rss() }));
`;
}

/** The API path and the token path a scenario's child calls. */
function pathsOf(scenario: Scenario, encoding: BombEncoding | undefined) {
  if (scenario === "api") return { path: `/bomb/${encoding}`, sessionPath: "/auth/session" };
  if (scenario === "token") return { path: "/small", sessionPath: `/bomb-session/${encoding}` };
  return { path: "/small", sessionPath: "/auth/session" };
}

async function runClient(
  runtime: "bun" | "node",
  scenario: Scenario,
  encoding: BombEncoding | undefined,
  base: string,
): Promise<BombRun> {
  const cacheDir = mkdtempSync(join(tmpdir(), "openclaw-bomb-"));
  const command =
    runtime === "bun"
      ? [process.execPath, "-e", clientCode("@openclaw/auth-runtime")]
      : ["node", "--input-type=module", "-e", clientCode("@openclaw/auth-runtime-node")];
  const timed = existsSync(TIME);
  try {
    const child = Bun.spawn(timed ? [TIME, "-f", "maxrss_kb=%M", ...command] : command, {
      cwd: benchDir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        BOMB_BASE: base,
        BOMB_PATH: pathsOf(scenario, encoding).path,
        BOMB_SESSION_PATH: pathsOf(scenario, encoding).sessionPath,
        BOMB_CACHE_DIR: cacheDir,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const line = stdout.trim().split("\n").at(-1) ?? "";
    if (code !== 0 || !line.startsWith("{")) {
      throw new Error(
        `the ${runtime} client (${scenario} ${encoding ?? ""}) exited with ${code}: ${stderr.trim()}`,
      );
    }
    const report = JSON.parse(line) as { outcome: string; maxRssKb: number; afterRss: number };
    const fromTime = /maxrss_kb=(\d+)/.exec(stderr)?.[1];
    const kb = fromTime === undefined ? report.maxRssKb : Number(fromTime);
    return {
      runtime,
      scenario,
      encoding,
      peakRssMb: Math.round((kb * 1024) / 1e5) / 10,
      afterRssMb: Math.round(report.afterRss / 1e5) / 10,
      measuredBy: fromTime === undefined ? "resourceUsage" : "/usr/bin/time",
      outcome: report.outcome,
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Starts bomb/server.ts in its own process; answers its URL and a way to stop it. */
async function startBombServer(): Promise<{
  url: string;
  bytes: Record<BombEncoding, number>;
  stop: () => void;
}> {
  const server = Bun.spawn([process.execPath, join(import.meta.dir, "bomb/server.ts")], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = server.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the bomb server exited before it listened");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { url, bytes } = JSON.parse(text.split("\n")[0] ?? "{}") as {
    url: string;
    bytes: Record<BombEncoding, number>;
  };
  return { url, bytes, stop: () => server.kill() };
}

/** Every run: baseline, then the API's and the token endpoint's bomb in each coding, on Bun and Node. */
export async function measureBombRss(
  options: { log?: (line: string) => void } = {},
): Promise<{ wireBytes: Record<BombEncoding, number>; runs: BombRun[] }> {
  const log = options.log ?? (() => {});
  ensureNodePackageBuilt(log);
  const server = await startBombServer();
  const runs: BombRun[] = [];
  try {
    for (const runtime of ["bun", "node"] as const) {
      log(`${runtime}: baseline`);
      runs.push(await runClient(runtime, "baseline", undefined, server.url));
      for (const scenario of ["api", "token"] as const) {
        for (const encoding of BOMB_ENCODINGS) {
          log(`${runtime}: ${scenario} ${encoding}`);
          runs.push(await runClient(runtime, scenario, encoding, server.url));
        }
      }
    }
  } finally {
    server.stop();
  }
  return { wireBytes: server.bytes, runs };
}

function label(run: BombRun): string {
  if (run.scenario === "baseline") return "a small answer (baseline)";
  const who = run.scenario === "api" ? "API" : "token endpoint";
  return `${who} answers the ${run.encoding} bomb`;
}

if (import.meta.main) {
  const json = process.argv.includes("--json");
  const result = await measureBombRss({
    log: (line) => process.stderr.write(`bomb-rss: ${line}\n`),
  });
  if (json) {
    console.log(JSON.stringify({ limitMb: BOMB_RSS_LIMIT_MB, ...result }));
  } else {
    const wire = Object.entries(result.wireBytes)
      .map(([encoding, bytes]) => `${encoding} ${bytes} bytes`)
      .join(", ");
    console.log(
      `Peak RSS of a fresh process making one requestApiWithAutoRefresh call, and its RSS 2 s after; each bomb 1 GiB inflated (${wire}); limit ${BOMB_RSS_LIMIT_MB} MB`,
    );
    for (const run of result.runs) {
      console.log(
        `  ${run.runtime.padEnd(5)} ${label(run).padEnd(40)} peak ${String(run.peakRssMb).padStart(6)} MB  after ${String(run.afterRssMb).padStart(6)} MB  (${run.measuredBy})  ${run.outcome}`,
      );
    }
  }
}
