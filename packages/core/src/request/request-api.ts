/**
 * The two request paths of the user API: `requestApi` (a token you already have) and
 * `requestApiWithAutoRefresh` (the token of a config, refreshed and the request resent once
 * when the response refuses it). Both share one preparation: method, URL and origin policy,
 * a replayable body, and the checked options.
 */

import type { EnvConfig } from "../config/config.ts";
import { AttemptTimeouts } from "../http/attempt-timeout.ts";
import { describeRequest } from "../http/describe-request.ts";
import { assertSecureTransport, resolveApiHref, type TokenOrigins } from "../http/origin-policy.ts";
import { EventSink, type RequestRetryEvent } from "../observe/events.ts";
import {
  endSpanWithError,
  loadOtel,
  type OtelSpan,
  otelSettled,
  startSpan,
  tracing,
} from "../observe/otel.ts";
import type { FetchLike, ProxyUse } from "../platform/platform.ts";
import type { InternalTokenManager } from "../token/token-manager.ts";
import type { ApiResponse } from "./api-response.ts";
import { apiRetryFor, sendWithRetries } from "./api-retry.ts";
import { isAuthFailure } from "./auth-failure.ts";
import { DRY_RUN_TOKEN, dryRunResponse } from "./dry-run.ts";
import type { AutoRefreshRequestOptions, RequestApiOptions, TokenOptions } from "./options.ts";
import {
  API_REQUEST_DEFAULTS,
  type ApiRequestInit,
  buildHeaders,
  type RedirectMode,
  type SendOptions,
  toReplayableBody,
} from "./send-request.ts";

/** What the request paths need from the runtime they belong to. */
export interface RequestContext {
  /** The platform's fetch lets go of a signal when its exchange ends (see AttemptTimeouts). */
  readonly reuseSignals: boolean;
  /** The platform's fetch, when the caller names none (the global one when undefined). */
  readonly fetch?: FetchLike | undefined;
  /**
   * The global fetch as it was when the runtime loaded (not one patched in since): a caller
   * who passes it gets the runtime's treatment. Taken by the runtime, since this module loads
   * with the first request.
   */
  readonly globalFetch: FetchLike;
  /** The proxy the platform's fetch sends a URL through (a connection failure names it). */
  readonly proxyFor?: ((url: string) => ProxyUse | undefined) | undefined;
  /** The manager serving `options`' token (the process-wide one of its config, by default). */
  managerFor(options: TokenOptions): InternalTokenManager;
  /** The config of the environment, for a dry run that names none. */
  defaultConfig(): EnvConfig;
  /** Turns the debug lines on when the environment asks (`AUTH_DEBUG=1`), on first use. */
  checkDebug(): void;
}

/** How many times a request went out (retries included), and whether a refresh resent it. */
interface Sent {
  count: number;
  refreshed: boolean;
}

/**
 * Runs `send` inside an `openclaw.auth.request` span (when OpenTelemetry is installed): the
 * method, the host, the final status, how many times it was sent. Never the URL's query.
 */
async function traced(
  method: string,
  url: string,
  send: (span: OtelSpan | undefined, sent: Sent) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  if (!otelSettled()) await loadOtel();
  const sent: Sent = { count: 0, refreshed: false };
  // Checked first: the attributes (a URL parsed for its host) are wasted when nothing records.
  if (!tracing()) return send(undefined, sent);
  const span = startSpan("openclaw.auth.request", {
    "http.request.method": method,
    "server.address": new URL(url).hostname,
  });
  if (!span) return send(undefined, sent);
  try {
    const response = await send(span, sent);
    span.setAttribute("http.response.status_code", response.status);
    span.setAttribute("openclaw.auth.attempts", sent.count);
    span.setAttribute("openclaw.auth.retried_after_auth_failure", sent.refreshed);
    span.end();
    return response;
  } catch (error) {
    span.setAttribute("openclaw.auth.attempts", sent.count);
    endSpanWithError(span, error);
    throw error;
  }
}

/** Method, URL, body and options of `init`, checked and ready, whatever the path. */
async function prepare(
  init: ApiRequestInit,
  target: (method: string) => { url: string; origins: TokenOrigins },
  context: { timeouts: AttemptTimeouts; timeoutMs: number; fetch: FetchLike | undefined },
  /** The platform's fetch, used when the caller names none, and the proxy it uses. */
  platform: Pick<RequestContext, "fetch" | "proxyFor" | "globalFetch">,
): Promise<SendOptions> {
  const platformFetch = platform.fetch;
  const method = (init.method ?? "GET").toUpperCase();
  const { url, origins } = target(method);
  const redirect = redirectOf(init.redirect);
  const maxResponseBytes = maxResponseBytesOf(init.maxResponseBytes);
  const send = context.fetch ?? platformFetch ?? fetch;
  const callerFetch = send !== platform.globalFetch && send !== platformFetch;
  // Only a stream body needs a promise; anything else is converted without a microtask.
  const replayable = toReplayableBody(init.body);
  const { body, contentType } = replayable instanceof Promise ? await replayable : replayable;
  return {
    method,
    url,
    headers: init.headers,
    contentType,
    body,
    signal: init.signal,
    // Named, not spread: this runs on every request, and a spread copies property by property.
    timeouts: context.timeouts,
    timeoutMs: context.timeoutMs,
    fetch: send,
    // The runtime's fetches let go of the signal when the exchange ends; a caller's may keep it.
    callerFetch,
    // A caller's fetch may route anywhere: only the runtime's names its proxy.
    proxyFor: callerFetch ? undefined : platform.proxyFor,
    origins,
    redirect,
    maxResponseBytes,
  };
}

/** The request functions of one runtime. */
export function createRequests(ctx: RequestContext) {
  const timeouts = new AttemptTimeouts({ reuseSignals: ctx.reuseSignals });
  async function requestApi(options: RequestApiOptions): Promise<ApiResponse> {
    ctx.checkDebug();
    const { config } = options;
    const prepared = await prepare(
      options,
      (method) => {
        if (config) return { url: resolveApiHref(options.url, config, method), origins: config };
        const parsed = absoluteUrl(options.url, method);
        return { url: parsed.href, origins: { authBase: parsed.origin, allowedOrigins: [] } };
      },
      {
        timeouts,
        timeoutMs: options.timeoutMs ?? config?.timeoutMs ?? 10_000,
        fetch: options.fetch,
      },
      ctx,
    );
    const secrets = config ? [config.clientKey, options.authToken] : [options.authToken];
    const retry = apiRetryFor(prepared.method, options.retry);
    return traced(prepared.method, prepared.url, (_span, sent) => {
      const onRetry = (event: RequestRetryEvent) => {
        const sink = new EventSink(options.onEvent);
        if (sink.active) sink.emit(event);
      };
      return sendWithRetries(prepared, options.authToken, secrets, retry, { onRetry, sent });
    });
  }

  async function requestApiWithAutoRefresh(
    options: AutoRefreshRequestOptions,
  ): Promise<ApiResponse> {
    const dryRun = options.dryRun ?? false;
    // A dry run without a config or manager needs no manager: it never gets a token.
    const manager =
      dryRun && !options.config && !options.tokenManager ? undefined : ctx.managerFor(options);
    // The caller's config decides where the request goes, never the config of a manager it shares.
    const config = options.config ?? options.tokenManager?.config ?? ctx.defaultConfig();
    const request = await prepare(
      options,
      (method) => ({ url: resolveApiHref(options.url, config, method), origins: config }),
      { timeouts, timeoutMs: config.timeoutMs, fetch: options.fetch },
      ctx,
    );
    if (!manager || dryRun) {
      const headers = buildHeaders(request.headers, DRY_RUN_TOKEN, request.contentType);
      return dryRunResponse(request.method, request.url, headers, request.body);
    }
    const { signal, onEvent } = options;
    const retry = apiRetryFor(request.method, options.retry);
    return traced(request.method, request.url, async (parentSpan, sent) => {
      const token =
        manager.warmToken(onEvent, parentSpan)?.accessToken ??
        (await manager.getToken({ signal, onEvent, parentSpan })).accessToken;
      const report = {
        onRetry: (event: RequestRetryEvent) => manager.report(event, onEvent),
        sent,
      };
      const first = await sendWithRetries(request, token, [config.clientKey, token], retry, report);
      if (!(options.isAuthFailure ?? isAuthFailure)(first)) return first;
      manager.report(
        {
          type: "request.retried_after_auth_failure",
          method: request.method,
          status: first.status,
        },
        onEvent,
      );
      // One refresh and one resend of the same bytes; a second failure is the caller's to see.
      const fresh = (await manager.refresh({ signal, onEvent, parentSpan, rejectedToken: token }))
        .accessToken;
      sent.refreshed = true;
      return sendWithRetries(request, fresh, [config.clientKey, fresh], retry, report);
    });
  }

  return { requestApi, requestApiWithAutoRefresh };
}

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
