/**
 * The runtime over one binding: the process-wide token managers, one per config, and the user
 * API bound to them (its contract and docs: auth-runtime.ts). Each runtime's entry makes one
 * with its own binding (Bun's in src/index.ts, Node's in @openclaw/auth-runtime-node); a custom
 * binding makes its own.
 */

import {
  createConfigWith,
  createEnvConfigWith,
  type EnvConfig,
  type EnvConfigOptions,
  loadClientKeyFromEnvWith,
  managerSettingsText,
} from "../config/config.ts";
import { firstTime } from "../config/unknown-variables.ts";
import { redactKnown } from "../errors/redact.ts";
import { DEFAULT_RETRY_POLICY } from "../http/retry.ts";
import { enableDebugLines, isDebugValue } from "../observe/debug-log.ts";
import { EventSink, GLOBAL_SINK } from "../observe/events.ts";
import { warnOnStderr } from "../observe/warn.ts";
import { lazy } from "../platform/lazy.ts";
import type { FetchLike } from "../platform/platform.ts";
import { DRY_RUN_TOKEN, dryRunTokenInfo } from "../request/dry-run.ts";
import type {
  AuthFetch,
  AuthFetchOptions,
  TokenManagerInit,
  TokenOptions,
} from "../request/options.ts";
import type { createRequests } from "../request/request-api.ts";
import { FileTokenStore } from "../stores/file-token-store.ts";
import { cacheKeyForConfig } from "../token/cache-key.ts";
import {
  DEFAULT_LOCK_WAIT,
  type InternalTokenManager,
  internalOf,
  newTokenManager,
} from "../token/token-manager.ts";
import type { AuthRuntime, RuntimeBinding } from "./auth-runtime.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The network half, loaded on first need (docs/configuration.md, "What a process loads"): a
 * script that only gets a warm token, or waits for another process's, sends no request. The
 * request paths load with the first API request; the token request with the first token that
 * must be fetched (token/token-manager.ts); a discovery store with a manager that discovers.
 */
const requestPaths = lazy<typeof import("../request/request-api.ts")>(() =>
  require("../request/request-api.ts"),
);
const authFetches = lazy<typeof import("../request/auth-fetch.ts")>(() =>
  require("../request/auth-fetch.ts"),
);
const discoveryStores = lazy<typeof import("../grants/discovery-store.ts")>(() =>
  require("../grants/discovery-store.ts"),
);

/** The global fetch as it was when the runtime loaded (request-api.ts `globalFetch`). */
const globalFetch: FetchLike = globalThis.fetch;

/** Each runtime's functions, to the runtime that made them (see {@link runtimeOf}). */
// biome-ignore lint/complexity/noBannedTypes: any function of a runtime's API is a key.
const runtimesByFunction = new WeakMap<Function, AuthRuntime>();

/**
 * The runtime whose user API `fn` is (one of the functions an entry exports), for a tool that
 * needs what stands behind them: the platform, the cache key, a file store on the same
 * platform. Tools reach the runtime of the entry they import this way, on Bun or on Node,
 * without `./adapter` holding either. Throws a `TypeError` for any other function.
 *
 * @example
 * // createTokenManager of the user API you import, on Bun or on Node:
 * const { platform, cacheKey } = runtimeOf(createTokenManager);
 */
// biome-ignore lint/complexity/noBannedTypes: any function of a runtime's API is a key.
export function runtimeOf(fn: Function): AuthRuntime {
  const runtime = runtimesByFunction.get(fn);
  if (!runtime) throw new TypeError("runtimeOf: fn is no function of a runtime's user API");
  return runtime;
}

/** Creates the user API over `binding`. */
export function createAuthRuntime(binding: RuntimeBinding): AuthRuntime {
  const { platform } = binding;
  const managersByConfig = new WeakMap<EnvConfig, InternalTokenManager>();
  const managersByKey = new Map<string, InternalTokenManager>();
  let environmentConfig: EnvConfig | undefined;
  let debugChecked = false;
  /**
   * `AUTH_DEBUG=1` (or true, yes, on): read on first use (not at import), then every event is a
   * line on stderr. A value that is no boolean throws its ConfigError (and is read again).
   */
  const checkDebug = () => {
    if (debugChecked) return;
    const on = isDebugValue(binding.env().AUTH_DEBUG);
    debugChecked = true;
    if (on) enableDebugLines();
  };

  /**
   * A config warning (unknown variables), once per process: as a `config.warning` event to the
   * process-wide listeners, and as text to the caller's `onWarning` (default: stderr).
   */
  const configWarning =
    (onWarning: (message: string) => void = warnOnStderr) =>
    (text: string) => {
      // Redacted at the source: the event and every sink get the same safe text.
      const message = redactKnown(text);
      if (!firstTime(message)) return;
      if (GLOBAL_SINK.active) GLOBAL_SINK.emit({ type: "config.warning", message });
      onWarning(message);
    };

  const createEnvConfig = (env: Env = binding.env(), options: EnvConfigOptions = {}) =>
    createEnvConfigWith(
      platform,
      env,
      { ...options, onWarning: configWarning(options.onWarning) },
      binding.env().HOME,
    );
  const defaultConfig = () => {
    environmentConfig ??= createEnvConfig();
    return environmentConfig;
  };
  const cacheKey = (config: EnvConfig) => cacheKeyForConfig(platform, config);

  /**
   * The fetch of every manager made without one: one function, so their discoveries of an
   * issuer can be shared (discovery.ts shares work only between callers of the same fetch).
   */
  const defaultFetch: FetchLike =
    platform.fetch ?? ((input, requestInit) => fetch(input, requestInit));

  function createTokenManager(init: TokenManagerInit): InternalTokenManager {
    checkDebug();
    const { config } = init;
    // A config made with `debug: true` (or from an environment with AUTH_DEBUG=1) asks for them too.
    if (config.debug) enableDebugLines();
    const events = new EventSink(init.onEvent);
    const onWarning = init.onWarning ?? warnOnStderr;
    // onWarning is a view of the cache.warning events: told the same messages, as text, without
    // any secret (a path or a store's error may quote one).
    const warn = (text: string) => {
      const message = redactKnown(text, [config.clientKey]);
      if (events.active) events.emit({ type: "cache.warning", message });
      onWarning(message);
    };
    const store =
      init.store !== undefined
        ? init.store
        : (binding.createStore?.(config, warn) ??
          new FileTokenStore(platform, { dir: config.cacheDir, onWarning: warn }));
    // Discovery is shared through the cache dir, unless the caller keeps everything in memory.
    const discoveryStore =
      store === null || config.grant !== "client_credentials" || config.tokenUrl !== undefined
        ? undefined
        : discoveryStores().fileDiscoveryStore(
            platform,
            new FileTokenStore(platform, { dir: config.cacheDir, onWarning: warn }),
          );
    return newTokenManager({
      config,
      key: cacheKey(config),
      store,
      discoveryStore,
      fetch: init.fetch ?? defaultFetch,
      // A caller's fetch may route anywhere: only the platform's names its proxy.
      proxyFor: init.fetch ? undefined : platform.proxyFor,
      retry: { ...DEFAULT_RETRY_POLICY, ...init.retry },
      lockWait: { ...DEFAULT_LOCK_WAIT, ...init.lockWait },
      warn,
      events,
    });
  }

  /** The cache key of each config seen, computed once per config object. */
  const keysByConfig = new WeakMap<EnvConfig, string>();
  const keyOf = (config: EnvConfig) => {
    let key = keysByConfig.get(config);
    if (key === undefined) {
      key = cacheKey(config);
      keysByConfig.set(config, key);
    }
    return key;
  };

  /**
   * The manager serving `options`' token. The process-wide one of a config is shared by every
   * config with the same cache key and the same settings the manager reads (config.ts
   * `managerSettingsText`, derived from the table), so one token request serves them all; a
   * request takes everything else from its own config, never from the manager's.
   */
  function managerFor(options: TokenOptions): InternalTokenManager {
    const { tokenManager } = options;
    if (tokenManager) {
      // The request goes where `config` says, with the manager's token: only that config's own.
      const config = options.config;
      if (config && config !== tokenManager.config && keyOf(config) !== tokenManager.key) {
        throw new TypeError(
          "tokenManager holds the token of another config than config (another AUTH_BASE, token endpoint, client or key): pass configs that share its token, or one of the two",
        );
      }
      return internalOf(tokenManager);
    }
    const config = options.config ?? defaultConfig();
    const known = managersByConfig.get(config);
    if (known) return known;
    // Hashed: the settings hold the client key.
    const id = platform.sha256Hex(`${keyOf(config)}\n${managerSettingsText(config)}`);
    let manager = managersByKey.get(id);
    if (!manager) {
      manager = createTokenManager({ config });
      managersByKey.set(id, manager);
    }
    managersByConfig.set(config, manager);
    return manager;
  }

  /** The request paths of this runtime, made on its first API request. */
  let requests: ReturnType<typeof createRequests> | undefined;
  const requestsOf = () => {
    requests ??= requestPaths().createRequests({
      reuseSignals: platform.fetchReleasesSignals ?? false,
      fetch: platform.fetch,
      globalFetch,
      proxyFor: platform.proxyFor,
      managerFor,
      defaultConfig,
      checkDebug,
    });
    return requests;
  };
  // Both are async: whatever they refuse is a rejection, as before they were loaded lazily.
  const requestApi: AuthRuntime["requestApi"] = (options) => requestsOf().requestApi(options);
  const requestApiWithAutoRefresh: AuthRuntime["requestApiWithAutoRefresh"] = (options) =>
    requestsOf().requestApiWithAutoRefresh(options);
  // The fetch is returned at once; what stands behind it is made on its first call.
  const createAuthFetch = (options: AuthFetchOptions = {}): AuthFetch => {
    let authFetch: AuthFetch | undefined;
    return (input, init) => {
      authFetch ??= authFetches().createAuthFetchWith(requestApiWithAutoRefresh, options);
      return authFetch(input, init);
    };
  };
  let environmentFetch: AuthFetch | undefined;

  const runtime: AuthRuntime = {
    platform,
    createEnvConfig,
    // A cacheDir of `~/…` is under the process's home dir.
    createConfig: (options) => createConfigWith(options, binding.env().HOME),
    loadClientKeyFromEnv: (envPath = ".env") =>
      loadClientKeyFromEnvWith(platform, binding.env(), envPath),
    async getAccessToken(options = {}) {
      if (options.dryRun) return DRY_RUN_TOKEN;
      const manager = managerFor(options);
      // The warm path: no promise chain beyond this function's own.
      const fresh = manager.warmToken(options.onEvent);
      if (fresh) return fresh.accessToken;
      return (await manager.getToken({ signal: options.signal, onEvent: options.onEvent }))
        .accessToken;
    },
    async getAccessTokenInfo(options = {}) {
      if (options.dryRun) return dryRunTokenInfo();
      return managerFor(options).getToken({ signal: options.signal, onEvent: options.onEvent });
    },
    async refreshAccessToken(options = {}) {
      if (options.dryRun) return DRY_RUN_TOKEN;
      const { signal, rejectedToken, onEvent } = options;
      const info = await managerFor(options).refresh({
        signal,
        onEvent,
        ...(rejectedToken ? { rejectedToken } : {}),
      });
      return info.accessToken;
    },
    async clearCachedToken(options = {}) {
      await managerFor(options).clear();
    },
    requestApi,
    requestApiWithAutoRefresh,
    createAuthFetch,
    // The environment's config is read on first use, not when the module loads.
    authFetch: (input, init) => {
      environmentFetch ??= createAuthFetch();
      return environmentFetch(input, init);
    },
    createTokenManager,
    cacheKey,
    cacheFilePath: (config) =>
      new FileTokenStore(platform, { dir: config.cacheDir }).filePath(cacheKey(config)),
    createFileTokenStore: (dir, onWarning) => new FileTokenStore(platform, { dir, onWarning }),
  };
  for (const value of Object.values(runtime)) {
    if (typeof value === "function") runtimesByFunction.set(value, runtime);
  }
  return runtime;
}
