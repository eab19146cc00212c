/** @openclaw/conformance: the public-behaviour suite every auth runtime must pass. */
export { defineConformanceSuite } from "./harness.ts";
export { CLIENT_KEY } from "./support.ts";
export type { ClientRun, GatewayControl, Harness, RuntimeApi, TestApi } from "./types.ts";
