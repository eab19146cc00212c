/**
 * Runs the dev gateway bin in a child `bun` process with the admin API on, and controls it over
 * HTTP: how a test process that cannot run Bun.serve (Node) gets a dev gateway. Node and Bun.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connectDevGateway, type DevGatewayClient } from "./client.ts";
import type { DevGatewayOptions } from "./options.ts";

/** How to start the child. */
export interface SpawnDevGatewayOptions {
  /** The bun executable. @default "bun" (from PATH) */
  readonly bun?: string;
  /**
   * Path of the bin (`src/main.ts`). Pass it when this module is bundled away from its package.
   * @default the main.ts next to this file
   */
  readonly main?: string;
  /** How long the child may take to print its URL. @default 20000 */
  readonly startTimeoutMs?: number;
}

/** A dev gateway in a child process; `stop()` ends the process. */
export interface SpawnedDevGateway extends DevGatewayClient {
  readonly pid: number;
}

const LISTENING = /^dev gateway listening on (\S+)$/;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A gateway child must not outlive the process that started it, even one that crashes. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** The bin's flags for `options` (admin always on). */
export function devGatewayArgs(options: DevGatewayOptions = {}): string[] {
  const args = ["--admin"];
  if (options.port !== undefined) args.push("--port", String(options.port));
  if (options.hostname !== undefined) args.push("--host", options.hostname);
  if (options.ttlSec !== undefined) args.push("--ttl", String(options.ttlSec));
  for (const key of options.clientKeys ?? []) args.push("--client-key", key);
  if (options.sessionPath !== undefined) args.push("--session-path", options.sessionPath);
  return args;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts `bun src/main.ts --admin …` and resolves once it listens.
 *
 * @example
 * const gateway = await spawnDevGateway({ clientKeys: ["ck-test"], ttlSec: 60 });
 * await gateway.setFaults([{ kind: "latency", ms: 200, route: "/auth/session" }]);
 * await gateway.stop(); // the child has exited
 */
export async function spawnDevGateway(
  options: DevGatewayOptions = {},
  how: SpawnDevGatewayOptions = {},
): Promise<SpawnedDevGateway> {
  const main = how.main ?? fileURLToPath(new URL("./main.ts", import.meta.url));
  const child = spawn(how.bun ?? "bun", [main, ...devGatewayArgs(options)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  installExitHook();
  child.once("exit", () => live.delete(child));

  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });

  const timeoutMs = how.startTimeoutMs ?? 20_000;
  const url = await new Promise<string>((resolve, reject) => {
    let settled = false;
    let stdout = "";
    const settle = (outcome: { url: string } | { why: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ("url" in outcome) return resolve(outcome.url);
      child.kill("SIGKILL");
      reject(new Error(`dev gateway child ${outcome.why}${stderr ? `: ${stderr.trim()}` : ""}`));
    };
    const timer = setTimeout(
      () => settle({ why: `printed no URL within ${timeoutMs} ms` }),
      timeoutMs,
    );
    child.once("error", (error) => settle({ why: `could not start (${error.message})` }));
    child.once("exit", (code, signal) => {
      // Let the last of stderr arrive for the message.
      setTimeout(
        () => settle({ why: `exited before listening (${signal ?? `code ${code}`})` }),
        50,
      );
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const match = LISTENING.exec(stdout.slice(0, newline));
      settle(match?.[1] ? { url: match[1] } : { why: "printed an unexpected first line" });
    });
  });

  const client = connectDevGateway(url);
  return {
    ...client,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
