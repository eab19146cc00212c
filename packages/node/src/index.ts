/**
 * @openclaw/auth-runtime-node: the OpenClaw auth runtime on Node.js >= 20, the same user API as
 * `@openclaw/auth-runtime` on Bun: core's runtime made with Node's binding (src/binding.ts), its
 * functions (documented on `AuthRuntime`), and core's names that are the same on every runtime.
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime-node";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
import { type AuthRuntime, createAuthRuntime } from "@openclaw/auth-runtime/adapter";
import { binding } from "./binding.ts";

export * from "@openclaw/auth-runtime/user-api";

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
