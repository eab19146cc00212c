/**
 * @openclaw/auth-runtime-node: the OpenClaw auth runtime on Node.js >= 20, the same API as
 * `@openclaw/auth-runtime` on Bun. The logic is core's; this module only binds it to Node.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime-node";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
import { createAuthRuntime } from "../../core/src/runtime.ts";
import { nodePlatform } from "./node-platform.ts";

export * from "../../core/src/public.ts";
export { nodePlatform };

/** The runtime bound to Node. */
export const runtime = createAuthRuntime({ platform: nodePlatform, env: () => process.env });

export const {
  createEnvConfig,
  loadClientKeyFromEnv,
  getAccessToken,
  getAccessTokenInfo,
  refreshAccessToken,
  clearCachedToken,
  requestApi,
  requestApiWithAutoRefresh,
  createAuthFetch,
  authFetch,
  createTokenManager,
  cacheKey,
  cacheFilePath,
  createFileTokenStore,
} = runtime;
