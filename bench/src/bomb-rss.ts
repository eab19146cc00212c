/**
 * `bun bench/src/bomb-rss.ts [--json]`: the peak RSS of a real process that meets
 * a gzip bomb (1 MB on the wire, 1 GiB inflated). A hostile gateway runs in a process of its own
 * (bomb/server.ts); a Bun child (@openclaw/auth-runtime) and a Node child (the built
 * @openclaw/auth-runtime-node) each call requestApiWithAutoRefresh on it once, and their peak RSS
 * is read from outside with `/usr/bin/time -f %M` (else from `process.resourceUsage().maxRSS`).
 * Each child also runs once against a small answer, as the baseline, and once against a token
 * endpoint that serves the bomb (the token request's own cap, through the public API).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNodePackageBuilt } from "./node-child.ts";

const benchDir = join(import.meta.dir, "..");
const TIME = "/usr/bin/time";

/** What a process may reach at most with a 1 MB bomb (issue 13). */
export const BOMB_RSS_LIMIT_MB = 300;

export type Scenario = "baseline" | "api" | "token";

export interface BombRun {
  readonly runtime: "bun" | "node";
  readonly scenario: Scenario;
  /** Peak resident set size of the child, in MB (10^6 bytes). */
  readonly peakRssMb: number;
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
console.log(JSON.stringify({ outcome, maxRssKb: process.resourceUsage().maxRSS }));
`;
}

const SCENARIOS: Record<Scenario, { path: string; sessionPath: string }> = {
  baseline: { path: "/small", sessionPath: "/auth/session" },
  api: { path: "/bomb", sessionPath: "/auth/session" },
  token: { path: "/small", sessionPath: "/bomb-session" },
};

async function runClient(
  runtime: "bun" | "node",
  scenario: Scenario,
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
        BOMB_PATH: SCENARIOS[scenario].path,
        BOMB_SESSION_PATH: SCENARIOS[scenario].sessionPath,
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
      throw new Error(`the ${runtime} client (${scenario}) exited with ${code}: ${stderr.trim()}`);
    }
    const report = JSON.parse(line) as { outcome: string; maxRssKb: number };
    const fromTime = /maxrss_kb=(\d+)/.exec(stderr)?.[1];
    const kb = fromTime === undefined ? report.maxRssKb : Number(fromTime);
    return {
      runtime,
      scenario,
      peakRssMb: Math.round((kb * 1024) / 1e5) / 10,
      measuredBy: fromTime === undefined ? "resourceUsage" : "/usr/bin/time",
      outcome: report.outcome,
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Starts bomb/server.ts in its own process; answers its URL and a way to stop it. */
async function startBombServer(): Promise<{ url: string; bytes: number; stop: () => void }> {
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
  const { url, bytes } = JSON.parse(text.split("\n")[0] ?? "{}") as { url: string; bytes: number };
  return { url, bytes, stop: () => server.kill() };
}

/** Every run: baseline, API bomb and token endpoint bomb, on Bun and Node. */
export async function measureBombRss(
  options: { log?: (line: string) => void } = {},
): Promise<{ wireBytes: number; runs: BombRun[] }> {
  const log = options.log ?? (() => {});
  ensureNodePackageBuilt(log);
  const server = await startBombServer();
  const scenarios: Scenario[] = ["baseline", "api", "token"];
  const runs: BombRun[] = [];
  try {
    for (const runtime of ["bun", "node"] as const) {
      for (const scenario of scenarios) {
        log(`${runtime}: ${scenario}`);
        runs.push(await runClient(runtime, scenario, server.url));
      }
    }
  } finally {
    server.stop();
  }
  return { wireBytes: server.bytes, runs };
}

const LABELS: Record<Scenario, string> = {
  baseline: "a small answer (baseline)",
  api: "API answers the bomb",
  token: "token endpoint answers the bomb",
};

if (import.meta.main) {
  const json = process.argv.includes("--json");
  const result = await measureBombRss({
    log: (line) => process.stderr.write(`bomb-rss: ${line}\n`),
  });
  if (json) {
    console.log(JSON.stringify({ limitMb: BOMB_RSS_LIMIT_MB, ...result }));
  } else {
    console.log(
      `Peak RSS of one requestApiWithAutoRefresh call; the bomb: ${result.wireBytes} bytes of gzip, 1 GiB inflated (limit ${BOMB_RSS_LIMIT_MB} MB)`,
    );
    for (const run of result.runs) {
      console.log(
        `  ${run.runtime.padEnd(5)} ${LABELS[run.scenario].padEnd(32)} ${String(run.peakRssMb).padStart(7)} MB  (${run.measuredBy})  ${run.outcome}`,
      );
    }
  }
}
