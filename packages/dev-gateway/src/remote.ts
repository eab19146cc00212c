/**
 * `@openclaw/dev-gateway/remote`: the parts that run on Node as well as Bun, to start a dev
 * gateway in a child process and control it over its admin API.
 */
export { connectDevGateway, type DevGatewayClient } from "./client.ts";
export type { Fault, FaultKind } from "./faults.ts";
export { DEFAULT_DEV_CLIENT_KEY, type DevGatewayOptions } from "./options.ts";
export {
  devGatewayArgs,
  type SpawnDevGatewayOptions,
  type SpawnedDevGateway,
  spawnDevGateway,
} from "./spawn.ts";
export type { DevGatewayStats } from "./stats.ts";
