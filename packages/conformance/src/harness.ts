/**
 * The conformance suite as a whole: every suite, registered in order with the runner a runtime
 * provides (the Harness of types.ts).
 */
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
import type { Harness } from "./types.ts";

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
