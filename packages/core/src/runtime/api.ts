/**
 * The user API, bound to the runtime of this build: `#binding` is Bun's in this package and
 * Node's in @openclaw/auth-runtime-node, which bundles this same module.
 */
import { binding } from "#binding";
import {
  type ConfigOptions,
  createConfigWith,
  type EnvConfig,
  type EnvConfigOptions,
} from "../config/config.ts";
import type { ApiResponse } from "../request/api-response.ts";
import type {
  AuthFetch,
  AuthFetchOptions,
  AutoRefreshRequestOptions,
  RefreshOptions,
  RequestApiOptions,
  TokenManagerInit,
  TokenOptions,
} from "../request/options.ts";
import type { TokenInfo, TokenManager } from "../token/token-manager.ts";
import { type AuthRuntime, createAuthRuntime } from "./runtime.ts";

/** The runtime behind the functions below (for tools: `@openclaw/auth-runtime/adapter`). */
export const runtime: AuthRuntime = createAuthRuntime(binding);

/**
 * The configuration from environment variables, else the `.env` file: validated, frozen, the
 * client key hidden from `JSON.stringify` and `console.log`. Throws a `ConfigError` naming the
 * variable and its rule (never the value).
 *
 * @param env The variables. @default process.env
 * @param options `envFile`: the `.env` file to read, `false` for none (@default ".env");
 *   `onWarning`: told, once per process, of `AUTH_*`/`CLIENT_*` variables that are no setting
 *   (a typo, with the name meant; @default console.warn).
 * @example
 * const config = createEnvConfig(); // AUTH_BASE, CLIENT_KEY, AUTH_CACHE_DIR, …
 * const other = createEnvConfig({ ...process.env, AUTH_BASE: "https://gw.example.com" });
 */
export function createEnvConfig(
  env?: Readonly<Record<string, string | undefined>>,
  options?: EnvConfigOptions,
): EnvConfig {
  return runtime.createEnvConfig(env, options);
}

/**
 * The configuration from an options object: the same rules, defaults and errors as
 * {@link createEnvConfig}, without reading the environment or any file.
 *
 * @example
 * const config = createConfig({ authBase: "https://gw.example.com", clientKey: key, minTtlSec: 120 });
 */
export function createConfig(options: ConfigOptions): EnvConfig {
  // A cacheDir of `~/…` is under the process's home dir.
  return createConfigWith(options, binding.env().HOME);
}

/**
 * `CLIENT_KEY` from the environment, else from the `.env` file at `envPath`; a `ConfigError`
 * when neither has one.
 *
 * @example
 * const key = loadClientKeyFromEnv(); // or loadClientKeyFromEnv("/etc/skill/.env")
 */
export function loadClientKeyFromEnv(envPath?: string): string {
  return runtime.loadClientKeyFromEnv(envPath);
}

/**
 * A fresh access token: from memory, else the cache file (shared with other processes and the
 * Python port), else one token request shared by every concurrent caller in this process and
 * across processes. Refreshed `minTtlSec` before it expires.
 *
 * @example
 * const token = await getAccessToken(); // the environment's config
 * const same = await getAccessToken({ config: createEnvConfig() });
 */
export function getAccessToken(options?: TokenOptions): Promise<string> {
  return runtime.getAccessToken(options);
}

/**
 * Like {@link getAccessToken}, with the token's lifetime and where it came from
 * (`source`: memory, cache, network, or stale after a failed refresh).
 *
 * @example
 * const { accessToken, expiresAt, source } = await getAccessTokenInfo({ config });
 */
export function getAccessTokenInfo(options?: TokenOptions): Promise<TokenInfo> {
  return runtime.getAccessTokenInfo(options);
}

/**
 * A new token, skipping both caches and replacing them. With `rejectedToken`, a token another
 * caller already got in its place is served instead of asking again.
 *
 * @example
 * const fresh = await refreshAccessToken({ config, rejectedToken: oldToken });
 */
export function refreshAccessToken(options?: RefreshOptions): Promise<string> {
  return runtime.refreshAccessToken(options);
}

/**
 * Forgets the config's token in memory and removes its cache file (and its temp files); the
 * next call asks the gateway.
 *
 * @example
 * await clearCachedToken({ config });
 */
export function clearCachedToken(options?: Omit<TokenOptions, "dryRun" | "signal">): Promise<void> {
  return runtime.clearCachedToken(options);
}

/**
 * One API request with a token you already have; no refresh. With `config`, a path resolves
 * against `authBase` and the origin policy applies; without, the URL must be absolute.
 * Resolves for every HTTP status; throws `ApiError` when nothing could be sent or read.
 *
 * @example
 * const res = await requestApi({ url: "https://gw.example.com/echo", authToken: token });
 */
export function requestApi(options: RequestApiOptions): Promise<ApiResponse> {
  return runtime.requestApi(options);
}

/**
 * An API request with the config's token. When the response refuses the token (401, 403, or a
 * body such as `{"code":401,"msg":"token expired"}`), the token is refreshed and the same bytes
 * are sent once more; a second refusal is returned as it is.
 *
 * @example
 * const res = await requestApiWithAutoRefresh({
 *   config,
 *   method: "POST",
 *   url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/610947572360.html" },
 * });
 * if (res.ok) console.log(res.json());
 */
export function requestApiWithAutoRefresh(
  options: AutoRefreshRequestOptions,
): Promise<ApiResponse> {
  return runtime.requestApiWithAutoRefresh(options);
}

/**
 * A `fetch`-compatible function with the config's token, refresh-and-resend, the origin policy
 * and the size cap, for code that already speaks fetch.
 *
 * @example
 * const gwFetch = createAuthFetch({ config });
 * const res = await gwFetch("/echo", { method: "POST", body: JSON.stringify({ a: 1 }) });
 */
export function createAuthFetch(options?: AuthFetchOptions): AuthFetch {
  return runtime.createAuthFetch(options);
}

/**
 * {@link createAuthFetch} over the environment's config (read on first use).
 *
 * @example
 * const res = await authFetch("/echo");
 */
export function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return runtime.authFetch(input, init);
}

/**
 * A token manager of your own: another store (`null` for memory only, a `TieredTokenStore`
 * over Redis), retry and lock-wait policies, a warning sink. Pass it as `tokenManager`.
 *
 * @example
 * const tokenManager = createTokenManager({ config, store: null, onWarning: log.warn });
 * const token = await getAccessToken({ tokenManager });
 */
export function createTokenManager(init: TokenManagerInit): TokenManager {
  return runtime.createTokenManager(init);
}

/**
 * The path of the config's cache file: `{cacheDir}/token_<first 32 hex of SHA-256 over
 * authBase "\n" clientKey>.json`, as the Python port computes it.
 *
 * @example
 * console.log(cacheFilePath(config)); // /tmp/skill-auth-cache/token_9f…json
 */
export function cacheFilePath(config: EnvConfig): string {
  return runtime.cacheFilePath(config);
}
