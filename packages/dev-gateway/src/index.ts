/** @openclaw/dev-gateway: a real HTTP server on loopback that behaves like the OpenClaw API gateway. */
export { ADMIN_PREFIX } from "./admin.ts";
export { connectDevGateway, type DevGatewayClient } from "./client.ts";
export type { Fault, FaultKind } from "./faults.ts";
export { OAUTH_TOKEN_PATH } from "./oauth.ts";
export {
  DEFAULT_DEV_CLIENT_ID,
  DEFAULT_DEV_CLIENT_KEY,
  type DevGatewayOptions,
} from "./options.ts";
export { type DevGateway, startDevGateway } from "./server.ts";
export {
  devGatewayArgs,
  type SpawnDevGatewayOptions,
  type SpawnedDevGateway,
  spawnDevGateway,
} from "./spawn.ts";
export type { DevGatewayStats } from "./stats.ts";
