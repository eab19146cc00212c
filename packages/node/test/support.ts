/**
 * What the Node test files share: where the built files are, a dev gateway in a child bun
 * process, and child processes of node and bun. Bundled with each test file for Node.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevGatewayOptions, spawnDevGateway } from "@openclaw/dev-gateway/remote";
import type { GatewayControl } from "../../conformance/src/index.ts";
import { baseEnv } from "../../conformance/src/support.ts";

/** The dir of the built test files (.test-build). */
export const BUILD_DIR = dirname(fileURLToPath(import.meta.url));
/** packages/node. */
export const PACKAGE_DIR = dirname(BUILD_DIR);
export const REPO_DIR = dirname(dirname(PACKAGE_DIR));
/** The built Node client of the conformance process protocol. */
export const NODE_CLIENT = join(BUILD_DIR, "client.js");
/** The Bun client of the same protocol (core's fixture, run from source). */
export const BUN_CLIENT = join(REPO_DIR, "packages/core/test/fixtures/client.ts");
/** The bun executable: $BUN, else from PATH. */
export const BUN = process.env.BUN ?? "bun";
const GATEWAY_MAIN = join(REPO_DIR, "packages/dev-gateway/src/main.ts");

/** A dev gateway in a child bun process, driven over its admin API. */
export async function startGateway(options?: DevGatewayOptions): Promise<GatewayControl> {
  return spawnDevGateway(options, { bun: BUN, main: GATEWAY_MAIN });
}

export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` to completion with `env` (over {@link baseEnv}). */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...baseEnv(), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last line of a client's stdout, parsed. */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "null") as Record<string, unknown>;
}
