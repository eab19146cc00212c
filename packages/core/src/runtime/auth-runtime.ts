/**
 * The seam between the runtime-neutral core and each runtime: what a runtime provides
 * ({@link RuntimeBinding}) and the user API made over it ({@link AuthRuntime}, documented here,
 * once). Each runtime's entry exports the functions of `createAuthRuntime(binding)` (runtime.ts)
 * typed by this interface, so an editor shows these docs on them.
 */
import type { ConfigOptions, EnvConfig, EnvConfigOptions } from "../config/config.ts";
import type { Platform } from "../platform/platform.ts";
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
import type { FileTokenStore } from "../stores/file-token-store.ts";
import type { TokenStore } from "../stores/token-store.ts";
import type { TokenInfo, TokenManager } from "../token/token-manager.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** What a runtime binding provides: the platform, the environment, the default store. */
export interface RuntimeBinding {
  readonly platform: Platform;
  /** The process environment, read when a function needs its default config. */
  readonly env: () => Env;
  /**
   * The store behind the in-memory cache when the caller names none. Default: the cache files
   * in `config.cacheDir`. (The fleet cache plugs in here.)
   */
  readonly createStore?: (config: EnvConfig, warn: (message: string) => void) => TokenStore;
}

/**
 * The user API over one binding. Its functions use no `this`: each may be taken off the object
 * and called alone, as the entries export them.
 */
export interface AuthRuntime {
  readonly platform: Platform;

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
  createEnvConfig(env?: Env, options?: EnvConfigOptions): EnvConfig;

  /**
   * The configuration from an options object: the same rules, defaults and errors as
   * {@link AuthRuntime.createEnvConfig}, without reading the environment or any file.
   *
   * @example
   * const config = createConfig({ authBase: "https://gw.example.com", clientKey: key, minTtlSec: 120 });
   */
  createConfig(options: ConfigOptions): EnvConfig;

  /**
   * `CLIENT_KEY` from the environment, else from the `.env` file at `envPath`; a `ConfigError`
   * when neither has one.
   *
   * @example
   * const key = loadClientKeyFromEnv(); // or loadClientKeyFromEnv("/etc/skill/.env")
   */
  loadClientKeyFromEnv(envPath?: string): string;

  /**
   * A fresh access token: from memory, else the cache file (shared with other processes and the
   * Python port), else one token request shared by every concurrent caller in this process and
   * across processes. Refreshed `minTtlSec` before it expires.
   *
   * @example
   * const token = await getAccessToken(); // the environment's config
   * const same = await getAccessToken({ config: createEnvConfig() });
   */
  getAccessToken(options?: TokenOptions): Promise<string>;

  /**
   * Like {@link AuthRuntime.getAccessToken}, with the token's lifetime and where it came from
   * (`source`: memory, cache, network, or stale after a failed refresh).
   *
   * @example
   * const { accessToken, expiresAt, source } = await getAccessTokenInfo({ config });
   */
  getAccessTokenInfo(options?: TokenOptions): Promise<TokenInfo>;

  /**
   * A new token, skipping both caches and replacing them. With `rejectedToken`, a token another
   * caller already got in its place is served instead of asking again.
   *
   * @example
   * const fresh = await refreshAccessToken({ config, rejectedToken: oldToken });
   */
  refreshAccessToken(options?: RefreshOptions): Promise<string>;

  /**
   * Forgets the config's token in memory and removes its cache file (and its temp files); the
   * next call asks the gateway.
   *
   * @example
   * await clearCachedToken({ config });
   */
  clearCachedToken(options?: Omit<TokenOptions, "dryRun" | "signal">): Promise<void>;

  /**
   * One API request with a token you already have; no refresh. With `config`, a path resolves
   * against `authBase` and the origin policy applies; without, the URL must be absolute.
   * Resolves for every HTTP status; throws `ApiError` when nothing could be sent or read.
   *
   * @example
   * const res = await requestApi({ url: "https://gw.example.com/echo", authToken: token });
   */
  requestApi(options: RequestApiOptions): Promise<ApiResponse>;

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
  requestApiWithAutoRefresh(options: AutoRefreshRequestOptions): Promise<ApiResponse>;

  /**
   * A `fetch`-compatible function with the config's token, refresh-and-resend, the origin policy
   * and the size cap, for code that already speaks fetch.
   *
   * @example
   * const gwFetch = createAuthFetch({ config });
   * const res = await gwFetch("/echo", { method: "POST", body: JSON.stringify({ a: 1 }) });
   */
  createAuthFetch(options?: AuthFetchOptions): AuthFetch;

  /**
   * {@link AuthRuntime.createAuthFetch} over the environment's config (read on first use).
   *
   * @example
   * const res = await authFetch("/echo");
   */
  authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;

  /**
   * A token manager of your own: another store (`null` for memory only, a `TieredTokenStore`
   * over Redis), retry and lock-wait policies, a warning sink. Pass it as `tokenManager`.
   *
   * @example
   * const tokenManager = createTokenManager({ config, store: null, onWarning: log.warn });
   * const token = await getAccessToken({ tokenManager });
   */
  createTokenManager(init: TokenManagerInit): TokenManager;

  /** The cache key of `config`: the first 32 hex of SHA-256 over `authBase \n clientKey`. */
  cacheKey(config: EnvConfig): string;

  /**
   * The path of the config's cache file: `{cacheDir}/token_<first 32 hex of SHA-256 over
   * authBase "\n" clientKey>.json`, as the Python port computes it.
   *
   * @example
   * console.log(cacheFilePath(config)); // /tmp/skill-auth-cache/token_9f…json
   */
  cacheFilePath(config: EnvConfig): string;

  /** A cache file store on this runtime's platform (e.g. to share a dir between configs). */
  createFileTokenStore(dir: string, onWarning?: (message: string) => void): FileTokenStore;
}
