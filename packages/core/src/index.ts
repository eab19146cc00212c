/**
 * @openclaw/auth-runtime: trade a CLIENT_KEY for a short-lived gateway token, keep it cached and
 * fresh across calls and processes, and call the gateway with it. This is the user API on Bun:
 * the runtime made with Bun's binding, its functions (documented on `AuthRuntime`), and the names
 * that are the same on every runtime (user-api.ts). Tools and custom stores find the rest in
 * `@openclaw/auth-runtime/adapter`, the cache-file rules in `@openclaw/auth-runtime/cache`.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */

import { binding } from "./bun/bun-binding.ts";
import type { AuthRuntime } from "./runtime/auth-runtime.ts";
import { createAuthRuntime } from "./runtime/runtime.ts";

export * from "./user-api.ts";

const runtime = createAuthRuntime(binding);

export const authFetch: AuthRuntime["authFetch"] = runtime.authFetch;
export const cacheFilePath: AuthRuntime["cacheFilePath"] = runtime.cacheFilePath;
export const clearCachedToken: AuthRuntime["clearCachedToken"] = runtime.clearCachedToken;
export const createAuthFetch: AuthRuntime["createAuthFetch"] = runtime.createAuthFetch;
export const createConfig: AuthRuntime["createConfig"] = runtime.createConfig;
export const createEnvConfig: AuthRuntime["createEnvConfig"] = runtime.createEnvConfig;
export const createTokenManager: AuthRuntime["createTokenManager"] = runtime.createTokenManager;
export const getAccessToken: AuthRuntime["getAccessToken"] = runtime.getAccessToken;
export const getAccessTokenInfo: AuthRuntime["getAccessTokenInfo"] = runtime.getAccessTokenInfo;
export const loadClientKeyFromEnv: AuthRuntime["loadClientKeyFromEnv"] =
  runtime.loadClientKeyFromEnv;
export const refreshAccessToken: AuthRuntime["refreshAccessToken"] = runtime.refreshAccessToken;
export const requestApi: AuthRuntime["requestApi"] = runtime.requestApi;
export const requestApiWithAutoRefresh: AuthRuntime["requestApiWithAutoRefresh"] =
  runtime.requestApiWithAutoRefresh;
