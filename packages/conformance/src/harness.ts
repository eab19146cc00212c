/**
 * What a runtime provides to run the conformance suite: its public API, its test functions, a dev
 * gateway it controls, and child processes of itself. The suite is written once against this.
 */
import type { DevGatewayOptions, DevGatewayStats, Fault } from "@openclaw/dev-gateway";
import { apiRetriesSuite } from "./suites/api-retries.ts";
import { authFetchSuite } from "./suites/auth-fetch.ts";
import { autoRefreshSuite } from "./suites/auto-refresh.ts";
import { bodiesSuite } from "./suites/bodies.ts";
import { boundedReadsSuite } from "./suites/bounded-reads.ts";
import { cacheFileSuite } from "./suites/cache-file.ts";
import { clientCredentialsSuite } from "./suites/client-credentials.ts";
import { configSuite } from "./suites/config.ts";
import { configPolicySuite } from "./suites/config-policy.ts";
import { configSurprisesSuite } from "./suites/config-surprises.ts";
import { discoveryPerConfigSuite } from "./suites/discovery-per-config.ts";
import { dryRunSuite } from "./suites/dry-run.ts";
import { envFilesSuite } from "./suites/env-files.ts";
import { errorsAndSecretsSuite, secretSweepSuite } from "./suites/errors-and-secrets.ts";
import { eventsSuite } from "./suites/events.ts";
import { hostileApiSuite } from "./suites/hostile-api.ts";
import { hostileFilesSuite } from "./suites/hostile-files.ts";
import { hostileOAuthSuite } from "./suites/hostile-oauth.ts";
import { hostileTokenEndpointSuite } from "./suites/hostile-token-endpoint.ts";
import { originPolicySuite } from "./suites/origin-policy.ts";
import { processOutputsSuite } from "./suites/process-outputs.ts";
import { redactionRedTeamSuite } from "./suites/redaction-red-team.ts";
import { replayedFormDataSuite } from "./suites/replayed-form-data.ts";
import { singleFlightSuite } from "./suites/single-flight.ts";
import { tokenRequestSuite } from "./suites/token-request.ts";
import { installOutputCapture } from "./support.ts";

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

/**
 * Registers the whole suite with `h.t`. Call it once per test file.
 *
 * @example
 * import { describe, test } from "bun:test";
 * defineConformanceSuite({ runtime: "bun", api, t: { describe, test }, startGateway, runClients });
 */
export function defineConformanceSuite(h: Harness): void {
  installOutputCapture();
  h.t.describe(`conformance (${h.runtime})`, () => {
    configSuite(h);
    cacheFileSuite(h);
    singleFlightSuite(h);
    tokenRequestSuite(h);
    autoRefreshSuite(h);
    bodiesSuite(h);
    authFetchSuite(h);
    apiRetriesSuite(h);
    originPolicySuite(h);
    dryRunSuite(h);
    errorsAndSecretsSuite(h);
    hostileTokenEndpointSuite(h);
    hostileApiSuite(h);
    hostileFilesSuite(h);
    boundedReadsSuite(h);
    eventsSuite(h);
    clientCredentialsSuite(h);
    hostileOAuthSuite(h);
    discoveryPerConfigSuite(h);
    envFilesSuite(h);
    configSurprisesSuite(h);
    // Late: one of its configs turns the debug lines on for the rest of the process.
    configPolicySuite(h);
    redactionRedTeamSuite(h);
    replayedFormDataSuite(h);
    processOutputsSuite(h);
    // Last: scans what every test above recorded.
    secretSweepSuite(h);
  });
}
