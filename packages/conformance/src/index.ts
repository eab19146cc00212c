/** @openclaw/conformance: the public-behaviour suite every auth runtime must pass. */
export {
  type ClientRun,
  defineConformanceSuite,
  type GatewayControl,
  type Harness,
  type RuntimeApi,
  type TestApi,
} from "./harness.ts";
export { CLIENT_KEY } from "./support.ts";
