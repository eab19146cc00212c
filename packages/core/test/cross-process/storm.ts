/**
 * Runs storms of storm-client.ts processes: spawned at once, released together by a go file once
 * all are loaded, each killed if it outlives its timeout. Every process, temp dir and gateway made
 * here is tracked and torn down by {@link cleanup}.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevGateway, type DevGatewayOptions, startDevGateway } from "@openclaw/dev-gateway";
import { baseEnv, CLIENT_KEY } from "../../../conformance/src/support.ts";

export { baseEnv, CLIENT_KEY };

export const STORM_CLIENT = fileURLToPath(new URL("../fixtures/storm-client.ts", import.meta.url));

/** What one client printed, parsed. */
export interface StormLine {
  token?: string;
  source?: string;
  expiresAt?: number;
  elapsedMs?: number;
  locked?: boolean;
  error?: { name?: string; code?: string; message?: string };
  unhandled?: string;
  [field: string]: unknown;
}

export interface StormRun {
  readonly index: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the process was killed for outliving its timeout. */
  readonly timedOut: boolean;
  /** The one JSON line, or undefined when stdout held none. */
  readonly line: StormLine | undefined;
}

const live = new Set<Bun.Subprocess>();
const dirs = new Set<string>();
const gateways = new Set<DevGateway>();

export async function tempDir(prefix = "openclaw-storm-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function gateway(options: DevGatewayOptions = {}): DevGateway {
  const started = startDevGateway({ clientKeys: [CLIENT_KEY], ...options });
  gateways.add(started);
  return started;
}

/** Kills every client still running, stops gateways, removes temp dirs. */
export async function cleanup(): Promise<void> {
  for (const child of live) child.kill("SIGKILL");
  await Promise.all([...live].map((child) => child.exited));
  live.clear();
  await Promise.all([...gateways].map((g) => g.stop()));
  gateways.clear();
  await Promise.all([...dirs].map((dir) => rm(dir, { recursive: true, force: true })));
  dirs.clear();
}

/** The environment of a client of `gw` on `cacheDir`. */
export function clientEnv(gw: DevGateway, cacheDir: string, extra: Record<string, string> = {}) {
  return {
    ...baseEnv(),
    AUTH_BASE: gw.url,
    CLIENT_KEY,
    AUTH_CACHE_DIR: cacheDir,
    ...extra,
  };
}

export interface StormOptions {
  readonly count: number;
  /** The command of client `i`. @default "token" */
  readonly command?: string | ((index: number) => string);
  /** The full environment of client `i` (see {@link clientEnv}). */
  readonly env: Record<string, string> | ((index: number) => Record<string, string>);
  /** Each client is killed this long after the go signal. @default 30000 */
  readonly timeoutMs?: number;
  /** Called once every client is loaded, just before the go signal. */
  readonly beforeGo?: () => Promise<void> | void;
}

function parseLine(stdout: string): StormLine | undefined {
  const text = stdout.trim().split("\n").at(-1);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as StormLine;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `count` clients, waits until all are loaded (or have exited), then releases them at once.
 * Resolves every client's result; none outlives `timeoutMs` after the go signal.
 */
export async function storm(options: StormOptions): Promise<StormRun[]> {
  const dir = await tempDir("openclaw-storm-gate-");
  const readyDir = join(dir, "ready");
  const goFile = join(dir, "go");
  await mkdir(readyDir);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const children = Array.from({ length: options.count }, (_, index) => {
    const command =
      typeof options.command === "function" ? options.command(index) : (options.command ?? "token");
    const env = typeof options.env === "function" ? options.env(index) : options.env;
    const child = Bun.spawn([process.execPath, STORM_CLIENT, command], {
      env: { ...env, STORM_READY_DIR: readyDir, STORM_GO_FILE: goFile },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    live.add(child);
    return child;
  });
  const outputs = children.map((child) =>
    Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]),
  );

  // Loading 32 Bun processes on a busy 2-core machine takes seconds; the storm starts after.
  const loadDeadline = Date.now() + 60_000;
  let exited = 0;
  for (const child of children) void child.exited.then(() => exited++);
  while ((await readdir(readyDir)).length + exited < options.count) {
    if (Date.now() > loadDeadline) break;
    await Bun.sleep(10);
  }
  await options.beforeGo?.();
  await writeFile(goFile, "");

  const timedOut = new Set<number>();
  const timers = children.map((child, index) =>
    setTimeout(() => {
      timedOut.add(index);
      child.kill("SIGKILL");
    }, timeoutMs),
  );
  try {
    const results = await Promise.all(outputs);
    return results.map(([stdout, stderr, code], index) => ({
      index,
      code,
      stdout,
      stderr,
      timedOut: timedOut.has(index),
      line: parseLine(stdout),
    }));
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const child of children) live.delete(child);
  }
}

/** Spawns one long-lived client (e.g. `hold-lock`); it is killed by {@link cleanup} at the latest. */
export function spawnClient(
  command: string,
  env: Record<string, string>,
): Bun.Subprocess<"ignore", "pipe", "pipe"> {
  const child = Bun.spawn([process.execPath, STORM_CLIENT, command], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  live.add(child);
  void child.exited.then(() => live.delete(child));
  return child;
}

/** Reads a child's stdout until its first line. */
export async function firstLine(
  child: Bun.Subprocess<"ignore", "pipe", "pipe">,
  timeoutMs = 20_000,
) {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return parseLine(text);
}

/** Asserts no run printed the client key (stdout or stderr). */
export function leaked(runs: readonly { stdout: string; stderr: string }[]): number[] {
  return runs.flatMap((run, i) => (`${run.stdout}${run.stderr}`.includes(CLIENT_KEY) ? [i] : []));
}

/** A compact description of runs for assertion messages. */
export function describeRuns(runs: readonly StormRun[]): string {
  return runs
    .map(
      (r) =>
        `#${r.index} code=${r.code}${r.timedOut ? " TIMED OUT" : ""} ${r.stdout.trim()} ${r.stderr.trim().slice(0, 300)}`,
    )
    .join("\n");
}
