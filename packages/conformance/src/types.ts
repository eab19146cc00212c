/**
 * What a runtime provides to run the conformance suite: its public API, its test functions, a dev
 * gateway it controls, and child processes of itself. The suites are written once against these
 * types; harness.ts registers them all.
 */
import type { DevGatewayOptions, DevGatewayStats, Fault } from "@openclaw/dev-gateway";

/**
 * The user API of a runtime (`@openclaw/auth-runtime` on Bun, `@openclaw/auth-runtime-node` on
 * Node: the same names). Used as a type only: the suite never imports it.
 */
export type RuntimeApi = typeof import("@openclaw/auth-runtime");

/** The test functions of the runtime's test runner (bun:test, node:test). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  test(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
}

/** A running dev gateway, controlled in-process or from another process (hence async). */
export interface GatewayControl {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:43127". */
  readonly url: string;
  stats(): Promise<DevGatewayStats>;
  resetStats(): Promise<void>;
  setFaults(faults: readonly Fault[]): Promise<void>;
  revokeAll(): Promise<void>;
  stop(): Promise<void>;
}

/** The result of one client process. */
export interface ClientRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Harness {
  readonly runtime: "bun" | "node";
  readonly api: RuntimeApi;
  readonly t: TestApi;
  startGateway(options?: DevGatewayOptions): Promise<GatewayControl>;
  /**
   * Runs `count` child processes of this runtime at once, each executing the runtime's client
   * script with `args` and `env` (plus the parent's PATH, HOME and TMPDIR); resolves each one's
   * exit code, stdout, stderr. The protocol of the client script is in the package README.
   */
  runClients(
    count: number,
    args: readonly string[],
    env: Record<string, string>,
  ): Promise<ClientRun[]>;
}
