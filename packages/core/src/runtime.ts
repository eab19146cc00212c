/**
 * The public API, bound to one {@link Platform}. `index.ts` binds it to Bun; the Node package
 * binds the same code to Node. Everything here is runtime-neutral.
 */
import {
  API_REQUEST_DEFAULTS,
  type ApiBody,
  type ApiRequestInit,
  buildHeaders,
  type FetchLike,
  type RedirectMode,
  type SendOptions,
  sendApiRequest,
  toReplayableBody,
} from "./api-request.ts";
import type { ApiResponse } from "./api-response.ts";
import { AttemptTimeouts } from "./attempt-timeout.ts";
import { type AuthFailureDetector, isAuthFailure } from "./auth-failure.ts";
import { cacheKeyFor } from "./cache-key.ts";
import {
  createEnvConfigWith,
  type EnvConfig,
  type EnvConfigOptions,
  loadClientKeyFromEnvWith,
} from "./config.ts";
import { DRY_RUN_TOKEN, dryRunResponse } from "./dry-run.ts";
import { FileTokenStore } from "./file-token-store.ts";
import {
  assertSecureTransport,
  describeRequest,
  resolveApiHref,
  type TokenOrigins,
} from "./origin-policy.ts";
import type { Platform } from "./platform.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
import {
  DEFAULT_LOCK_WAIT,
  type LockWaitPolicy,
  type TokenInfo,
  TokenManager,
} from "./token-manager.ts";
import type { TokenStore } from "./token-store.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** What a runtime binding provides besides the platform. */
export interface RuntimeBinding {
  readonly platform: Platform;
  /** The process environment, read when a function needs its default config. */
  readonly env: () => Env;
  /**
   * The store behind the in-memory cache when the caller names none. Default: the cache files
   * in `config.cacheDir`. (The fleet cache plugs in here.)
   */
  readonly createStore?: (
    config: EnvConfig,
    key: string,
    warn: (message: string) => void,
  ) => TokenStore;
}

/** Options of {@link AuthRuntime.createTokenManager}. */
export interface TokenManagerInit {
  readonly config: EnvConfig;
  /** Store behind the in-memory copy; `null` for memory only. @default the cache files */
  readonly store?: TokenStore | null;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Token request retries. @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
  /** Waiting for another process's token request. @default DEFAULT_LOCK_WAIT */
  readonly lockWait?: Partial<LockWaitPolicy>;
  /** Warnings (unusable cache dir, served a stale token). @default console.warn */
  readonly onWarning?: (message: string) => void;
}

/** Selects the token: by config (shared per config in the process) or an explicit manager. */
export interface TokenOptions {
  readonly config?: EnvConfig | undefined;
  /** Use this manager instead of the process-wide one for `config`. */
  readonly tokenManager?: TokenManager | undefined;
  /** No network, no cache: a recognisable fake token. @default false */
  readonly dryRun?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link AuthRuntime.requestApi}: a request with a token you already have. */
export interface RequestApiOptions extends ApiRequestInit {
  readonly authToken: string;
  /**
   * Resolves paths and applies the origin policy. Without it the URL must be absolute (https,
   * or http to loopback), and the token may go to that URL's own origin only: a redirect is
   * followed only within it, any other is returned unfollowed.
   */
  readonly config?: EnvConfig;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/** Options of {@link AuthRuntime.requestApiWithAutoRefresh}. */
export interface AutoRefreshRequestOptions extends ApiRequestInit, TokenOptions {
  /** Replaces the default auth-failure detector. */
  readonly isAuthFailure?: AuthFailureDetector;
  readonly fetch?: FetchLike;
}

/** Options of {@link AuthRuntime.createAuthFetch}. */
export interface AuthFetchOptions extends Omit<TokenOptions, "signal"> {
  readonly isAuthFailure?: AuthFailureDetector;
  readonly fetch?: FetchLike;
  /**
   * The largest response body read, counted after decompression (see ApiRequestInit).
   * @default 33554432 (32 MiB, `API_REQUEST_DEFAULTS.maxResponseBytes`)
   */
  readonly maxResponseBytes?: number | undefined;
}

/** A `fetch`-compatible function that adds the token and refreshes on auth failures. */
export type AuthFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A plain object is JSON; everything else goes as fetch would send it. */
export type { ApiBody };

const defaultWarn = (message: string) => console.warn(`openclaw-auth: ${message}`);

/** Creates the public API over `binding`. */
export function createAuthRuntime(binding: RuntimeBinding) {
  const { platform } = binding;
  const managersByConfig = new WeakMap<EnvConfig, TokenManager>();
  const managersByKey = new Map<string, TokenManager>();
  const timeouts = new AttemptTimeouts({ reuseSignals: platform.fetchReleasesSignals ?? false });
  let defaultConfig: EnvConfig | undefined;

  function createEnvConfig(env: Env = binding.env(), options?: EnvConfigOptions): EnvConfig {
    return createEnvConfigWith(platform, env, options);
  }

  function loadClientKeyFromEnv(envPath = ".env"): string {
    return loadClientKeyFromEnvWith(platform, binding.env(), envPath);
  }

  function cacheKey(config: EnvConfig): string {
    return cacheKeyFor(platform, config.authBase, config.clientKey);
  }

  function cacheFilePath(config: EnvConfig): string {
    return new FileTokenStore(platform, { dir: config.cacheDir }).filePath(cacheKey(config));
  }

  function createTokenManager(init: TokenManagerInit): TokenManager {
    const { config } = init;
    const key = cacheKey(config);
    const warn = init.onWarning ?? defaultWarn;
    const store =
      init.store !== undefined
        ? init.store
        : (binding.createStore?.(config, key, warn) ??
          new FileTokenStore(platform, { dir: config.cacheDir, onWarning: warn }));
    return new TokenManager({
      config,
      key,
      store,
      fetch: init.fetch ?? ((input, requestInit) => fetch(input, requestInit)),
      retry: { ...DEFAULT_RETRY_POLICY, ...init.retry },
      lockWait: { ...DEFAULT_LOCK_WAIT, ...init.lockWait },
      warn,
    });
  }

  /** The process-wide manager for a config: one per (authBase, clientKey, cache settings). */
  function managerFor(options: TokenOptions): TokenManager {
    if (options.tokenManager) return options.tokenManager;
    defaultConfig ??= options.config ? undefined : createEnvConfig();
    const config = options.config ?? (defaultConfig as EnvConfig);
    const known = managersByConfig.get(config);
    if (known) return known;
    const id = [
      cacheKey(config),
      config.cacheDir,
      config.minTtlSec,
      config.sessionPath,
      config.timeoutMs,
      config.maxTtlSec,
      config.redisUrl ?? "",
    ].join("\n");
    let manager = managersByKey.get(id);
    if (!manager) {
      manager = createTokenManager({ config });
      managersByKey.set(id, manager);
    }
    managersByConfig.set(config, manager);
    return manager;
  }

  /** Like {@link getAccessToken}, with the lifetime and where the token came from. */
  async function getAccessTokenInfo(options: TokenOptions = {}): Promise<TokenInfo> {
    if (options.dryRun) return dryRunToken();
    return managerFor(options).getToken({ signal: options.signal });
  }

  async function getAccessToken(options: TokenOptions = {}): Promise<string> {
    if (options.dryRun) return DRY_RUN_TOKEN;
    const manager = managerFor(options);
    // The warm path: no promise chain beyond this function's own.
    const fresh = manager.peekFresh();
    if (fresh) return fresh.accessToken;
    return (await manager.getToken({ signal: options.signal })).accessToken;
  }

  async function refreshAccessToken(
    options: TokenOptions & { rejectedToken?: string } = {},
  ): Promise<string> {
    if (options.dryRun) return DRY_RUN_TOKEN;
    const refreshOptions = {
      signal: options.signal,
      ...(options.rejectedToken ? { rejectedToken: options.rejectedToken } : {}),
    };
    return (await managerFor(options).refresh(refreshOptions)).accessToken;
  }

  async function clearCachedToken(
    options: Omit<TokenOptions, "dryRun" | "signal"> = {},
  ): Promise<void> {
    await managerFor(options).clear();
  }

  async function requestApi(options: RequestApiOptions): Promise<ApiResponse> {
    const method = (options.method ?? "GET").toUpperCase();
    let url: string;
    let origins: TokenOrigins;
    if (options.config) {
      url = resolveApiHref(options.url, options.config, method);
      origins = options.config;
    } else {
      const parsed = absoluteUrl(options.url, method);
      url = parsed.href;
      origins = { authBase: parsed.origin, allowedOrigins: [] };
    }
    const replayable = toReplayableBody(options.body);
    const { body, contentType } = replayable instanceof Promise ? await replayable : replayable;
    return sendApiRequest({
      method,
      url,
      headers: options.headers,
      token: options.authToken,
      contentType,
      body,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? options.config?.timeoutMs ?? 10_000,
      timeouts,
      fetch: options.fetch ?? fetch,
      secrets: secretsOf(options.config, options.authToken),
      origins,
      redirect: redirectOf(options.redirect),
      maxResponseBytes: maxResponseBytesOf(options.maxResponseBytes),
    });
  }

  async function requestApiWithAutoRefresh(
    options: AutoRefreshRequestOptions,
  ): Promise<ApiResponse> {
    const method = (options.method ?? "GET").toUpperCase();
    const dryRun = options.dryRun ?? false;
    const manager =
      dryRun && !options.config && !options.tokenManager ? undefined : managerFor(options);
    const config = manager?.config ?? options.config ?? createEnvConfig();
    const url = resolveApiHref(options.url, config, method);
    const replayable = toReplayableBody(options.body);
    const { body, contentType } = replayable instanceof Promise ? await replayable : replayable;
    if (dryRun) {
      return dryRunResponse(
        method,
        url,
        buildHeaders(options.headers, DRY_RUN_TOKEN, contentType),
        body,
      );
    }
    const tokens = manager as TokenManager;
    const token =
      tokens.peekFresh()?.accessToken ??
      (await tokens.getToken({ signal: options.signal })).accessToken;
    const request: SendOptions = {
      method,
      url,
      headers: options.headers,
      token,
      contentType,
      body,
      signal: options.signal,
      timeoutMs: config.timeoutMs,
      timeouts,
      fetch: options.fetch ?? fetch,
      secrets: [config.clientKey, token],
      origins: config,
      redirect: redirectOf(options.redirect),
      maxResponseBytes: maxResponseBytesOf(options.maxResponseBytes),
    };
    const first = await sendApiRequest(request);
    if (!(options.isAuthFailure ?? isAuthFailure)(first)) return first;
    // One refresh and one resend of the same bytes; a second failure is the caller's to see.
    const fresh = (await tokens.refresh({ signal: options.signal, rejectedToken: token }))
      .accessToken;
    return sendApiRequest({ ...request, token: fresh, secrets: [config.clientKey, fresh] });
  }

  function createAuthFetch(options: AuthFetchOptions = {}): AuthFetch {
    return async (input, init) => {
      const request = input instanceof Request ? input : undefined;
      const url = request ? request.url : input instanceof URL ? input.href : String(input);
      const method = init?.method ?? request?.method ?? "GET";
      // Without a Request or init headers there is nothing to merge (buildHeaders copies anyway).
      let headers: Headers | undefined;
      if (request || init?.headers !== undefined) {
        headers = new Headers(request?.headers);
        for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
      }
      const body =
        init?.body !== undefined
          ? (init.body as ApiBody)
          : request?.body
            ? new Uint8Array(await request.arrayBuffer())
            : null;
      const signal = init?.signal ?? request?.signal ?? undefined;
      const redirect = init?.redirect ?? request?.redirect;
      const response = await requestApiWithAutoRefresh({
        ...options,
        method,
        url,
        headers,
        body,
        ...(signal ? { signal } : {}),
        ...(redirect ? { redirect: redirect as RedirectMode } : {}),
      });
      return toFetchResponse(response, method);
    };
  }

  let defaultAuthFetch: AuthFetch | undefined;
  /** `fetch` with the token of the environment's config (created on first use). */
  const authFetch: AuthFetch = (input, init) => {
    defaultAuthFetch ??= createAuthFetch();
    return defaultAuthFetch(input, init);
  };

  function dryRunToken(): TokenInfo {
    const expiresIn = 900;
    return {
      accessToken: DRY_RUN_TOKEN,
      expiresIn,
      expiresAt: Date.now() / 1000 + expiresIn,
      source: "memory",
    };
  }

  return {
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
    /** A cache file store on this runtime's platform (e.g. to share a dir between configs). */
    createFileTokenStore: (dir: string, onWarning?: (message: string) => void) =>
      new FileTokenStore(platform, { dir, onWarning }),
  };
}

/** The public API of a runtime binding. */
export type AuthRuntime = ReturnType<typeof createAuthRuntime>;

/** The caller's `redirect`, checked: a typo must not turn the policy off silently. */
function redirectOf(value: RedirectMode | undefined): RedirectMode {
  if (value === undefined) return API_REQUEST_DEFAULTS.redirect;
  if (value !== "follow" && value !== "manual" && value !== "error") {
    throw new TypeError(`redirect must be "follow", "manual" or "error" (got ${String(value)})`);
  }
  return value;
}

function maxResponseBytesOf(value: number | undefined): number {
  if (value === undefined) return API_REQUEST_DEFAULTS.maxResponseBytes;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`maxResponseBytes must be an integer >= 0 (got ${String(value)})`);
  }
  return value;
}

function secretsOf(config: EnvConfig | undefined, token: string): string[] {
  return config ? [config.clientKey, token] : [token];
}

function absoluteUrl(url: string | URL, method: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch (error) {
    throw new TypeError(
      `requestApi: url must be absolute when no config is given (${describeRequest(method, String(url))})`,
      { cause: error },
    );
  }
  assertSecureTransport(parsed, describeRequest(method, parsed));
  return parsed;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toFetchResponse(response: ApiResponse, method: string): Response {
  const body = NULL_BODY_STATUSES.has(response.status) || method === "HEAD" ? null : response.body;
  const out = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(out, "url", { value: response.url });
  return out;
}
