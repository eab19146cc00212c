/**
 * @openclaw/auth-runtime on Bun: trade a CLIENT_KEY for a gateway token, keep it cached and
 * fresh, and call the gateway with it.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
import { bunPlatform } from "./adapters/bun.ts";
import { createAuthRuntime } from "./runtime.ts";

export * from "./public.ts";
export { bunPlatform };

/** The runtime bound to Bun. */
export const runtime = createAuthRuntime({ platform: bunPlatform, env: () => process.env });

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
