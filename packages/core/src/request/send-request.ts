/** Sending one API request: where the token may go, replayable bodies, and the plain send. */

import { ApiError, redactedCause } from "../errors/errors.ts";
import { redactSecrets } from "../errors/redact.ts";
import type { AttemptTimeouts } from "../http/attempt-timeout.ts";
import { readTextWithin } from "../http/bounded-body.ts";
import { describeRequest } from "../http/describe-request.ts";
import { mayReceiveToken, type TokenOrigins } from "../http/origin-policy.ts";
import { throughProxy } from "../http/proxy.ts";
import { describeFetchFailure } from "../http/retry.ts";
import type { FetchLike, HeadersInit, ProxyUse } from "../platform/platform.ts";
import { ApiResponse } from "./api-response.ts";

/** A request body: plain objects and arrays are sent as JSON; the rest as fetch sends them. */
export type ApiBody =
  | string
  | Record<string, unknown>
  | readonly unknown[]
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | URLSearchParams
  | FormData
  | ReadableStream<Uint8Array>
  | null;

/**
 * What an API call does with a redirect. `"follow"`: follows it only when its target may receive
 * the token (see {@link ApiRequestInit.redirect}); `"manual"`: returns the 3xx response;
 * `"error"`: fails with an {@link ApiError}, as fetch fails with a TypeError.
 */
export type RedirectMode = "follow" | "manual" | "error";

/** Defaults of the API request options, in one place. */
export const API_REQUEST_DEFAULTS = {
  /** 32 MiB: {@link ApiRequestInit.maxResponseBytes}. */
  maxResponseBytes: 33_554_432,
  redirect: "follow",
} as const satisfies { maxResponseBytes: number; redirect: RedirectMode };

/** Redirects followed for one request; fetch allows 20, a gateway needs one or two. */
export const MAX_REDIRECTS = 5;

/** What every API call takes. */
export interface ApiRequestInit {
  /** @default "GET" */
  readonly method?: string | undefined;
  /** An absolute URL, or a path resolved against `authBase`. */
  readonly url: string | URL;
  readonly headers?: HeadersInit | undefined;
  readonly body?: ApiBody | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * The largest response body read, in bytes, counted after decompression while it streams
   * (a megabyte of gzip can inflate to gigabytes); a larger one is an {@link ApiError} naming
   * this cap, and the rest of it is never read.
   * @default 33554432 (32 MiB, `API_REQUEST_DEFAULTS.maxResponseBytes`)
   */
  readonly maxResponseBytes?: number | undefined;
  /**
   * `"follow"` follows a 301/302/303/307/308 only when its target (the Location resolved against
   * the current URL) may receive the token: authBase's origin or an allowed origin (without a
   * config, the request URL's own origin), over https or loopback http; each hop is checked, at
   * most {@link MAX_REDIRECTS}. Any other redirect is returned unfollowed, so neither the token
   * nor the body leaves. 303, and 301/302 after a POST, continue as a GET without body (as fetch
   * does); 307/308 resend the same method and body bytes.
   * @default "follow"
   */
  readonly redirect?: RedirectMode | undefined;
}

/** A body that can be sent again, byte for byte, on the retry after an auth failure. */
export type ReplayableBody = Exclude<NonNullable<RequestInit["body"]>, ReadableStream> | null;

function isPlainJson(body: unknown): body is Record<string, unknown> | readonly unknown[] {
  if (Array.isArray(body)) return true;
  if (typeof body !== "object" || body === null) return false;
  const proto = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}

/** A body ready to be sent (again), with the content type it implies. */
export interface Replayable {
  readonly body: ReplayableBody;
  readonly contentType?: string;
}

const NO_BODY: Replayable = Object.freeze({ body: null });

/**
 * The body in a form fetch can send twice, and the content type it implies. A stream and a
 * FormData are read into bytes once, so the retry sends the same bytes ("body already used" is
 * the usual bug, a new multipart boundary the other). Only these need a promise; any other body
 * is converted at once, without a microtask.
 */
export function toReplayableBody(body: ApiBody | undefined): Replayable | Promise<Replayable> {
  if (body === undefined || body === null) return NO_BODY;
  if (isPlainJson(body)) return { body: JSON.stringify(body), contentType: "application/json" };
  // The Fetch standard's type for a string body; Bun's fetch leaves it out, Node's sets it.
  if (typeof body === "string") return { body, contentType: "text/plain;charset=UTF-8" };
  if (body instanceof ReadableStream) {
    return new Response(body).arrayBuffer().then((bytes) => ({ body: new Uint8Array(bytes) }));
  }
  // fetch encodes a FormData anew on every send, with a new random boundary: encoded once here,
  // every attempt sends the same bytes under the same multipart content type.
  if (body instanceof FormData) {
    const encoded = new Response(body);
    const contentType = encoded.headers.get("content-type");
    return encoded.arrayBuffer().then((bytes) => {
      const replayable = { body: new Uint8Array(bytes) };
      return contentType === null ? replayable : { ...replayable, contentType };
    });
  }
  return { body: body as ReplayableBody };
}

/**
 * The last token's header value, kept: Bun's fetch takes a header string it has seen before
 * measurably faster than a newly built one (BENCHMARKS.md).
 */
let lastToken = "";
let lastAuthorization = "";

function bearer(token: string): string {
  if (token !== lastToken) {
    lastToken = token;
    lastAuthorization = `Bearer ${token}`;
  }
  return lastAuthorization;
}

/**
 * Request headers with the bearer token (ours wins over a caller's Authorization). Without
 * caller headers they are a plain record, as most fetch calls pass them: a `Headers` object
 * costs more to build than everything else the request path does.
 */
export function buildHeaders(
  headers: HeadersInit | undefined,
  token: string,
  contentType?: string,
): Headers | Record<string, string> {
  const authorization = bearer(token);
  if (headers === undefined) {
    return contentType ? { "content-type": contentType, authorization } : { authorization };
  }
  const out = new Headers(headers);
  if (contentType && !out.has("content-type")) out.set("content-type", contentType);
  out.set("authorization", authorization);
  return out;
}

/** A request ready to send, less its token (prepared once, sent once or twice). */
export interface SendOptions {
  readonly method: string;
  /** The absolute URL (fetch parses it). */
  readonly url: string;
  /** The caller's headers; the token's and the content type are added to them. */
  readonly headers: HeadersInit | undefined;
  readonly contentType: string | undefined;
  readonly body: ReplayableBody;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly timeouts: AttemptTimeouts;
  readonly fetch: FetchLike;
  /** True when `fetch` is the caller's (not the runtime's), which may keep the signal it is given. */
  readonly callerFetch: boolean;
  /** The proxy the runtime's fetch sends a URL through, if any (a connection failure names it). */
  readonly proxyFor?: ((url: string) => ProxyUse | undefined) | undefined;
  /** Where a redirect may be followed to: the origins that may receive the token. */
  readonly origins: TokenOrigins;
  readonly redirect: RedirectMode;
  readonly maxResponseBytes: number;
}

/**
 * One HTTP exchange (with the redirects it may follow), the body read as text up to
 * `maxResponseBytes`; any failure is an {@link ApiError} whose message and cause hold no secret.
 * The attempt's timeout aborts it with a `TimeoutError`, as `AbortSignal.timeout` would.
 */
export async function sendApiRequest(
  options: SendOptions,
  token: string,
  /** Removed from any error message and from an error's cause. */
  secrets: readonly string[],
  /** Which attempt this is, from 1 (the last failure of retries says how many were made). */
  attemptNumber = 1,
): Promise<ApiResponse> {
  // A caller's signal is combined with ours; a fetch of the caller's may hold on to ours.
  const keepsSignal = options.signal !== undefined || options.callerFetch;
  const attempt = options.timeouts.start(options.timeoutMs, keepsSignal);
  try {
    const init: RequestInit = {
      method: options.method,
      // Built here, inside the catch: a bad header value makes it throw, quoting the value.
      headers: buildHeaders(options.headers, token, options.contentType),
      body: options.body,
      signal: options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal,
      // Followed here, hop by hop, where the policy can see each target.
      redirect: "manual",
    };
    let response = await options.fetch(options.url, init);
    let url = options.url;
    // The only cost a plain answer pays for redirect handling is this comparison.
    if (response.status > 300 && response.status < 309) {
      [response, url] = await handleRedirects(response, init, options);
    }
    const body = await readTextWithin(response, options.maxResponseBytes, init.signal ?? undefined);
    if (body === undefined) {
      const request = describeRequest(options.method, options.url);
      throw new ApiError(
        `API response body is larger than maxResponseBytes (${options.maxResponseBytes} bytes; HTTP ${response.status}, ${request})`,
        { reason: "too-large", request },
      );
    }
    return new ApiResponse({ status: response.status, body, url, from: response });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const failure = describeFetchFailure(error, options.signal, options.timeoutMs);
    const proxy = options.proxyFor?.(options.url);
    // The proxy's credentials too: its failure may echo them (Bun's does for a scheme-less one).
    const hidden = proxy?.secrets ? [...secrets, ...proxy.secrets] : secrets;
    const reason = failure.kind === "aborted" ? "aborted" : redactSecrets(failure.reason, hidden);
    // Described only here: the string work is wasted on every request that succeeds.
    const request = describeRequest(options.method, options.url);
    let where = attemptNumber > 1 ? `${request}, ${attemptNumber} attempts` : request;
    if (proxy && failure.kind === "network") where += `, ${throughProxy(proxy, reason)}`;
    throw new ApiError(`API request failed: ${reason} (${where})`, {
      cause: redactedCause(error, hidden),
      reason: failure.kind,
      request,
    });
  } finally {
    options.timeouts.end(attempt);
  }
}

const isRedirectStatus = (status: number) =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];

/**
 * Follows `response`'s redirects as `options.redirect` says, each target checked against the
 * origins that may receive the token; answers the response to read and its URL.
 */
async function handleRedirects(
  first: Response,
  init: RequestInit,
  options: SendOptions,
): Promise<[Response, string]> {
  let response = first;
  let url = options.url;
  let method = init.method ?? "GET";
  let headers = init.headers ?? {};
  let body = init.body ?? null;
  for (let hops = 0; isRedirectStatus(response.status); hops++) {
    if (options.redirect === "manual") break;
    const request = describeRequest(options.method, options.url);
    if (options.redirect === "error") {
      await discard(response);
      throw new ApiError(
        `API request failed: redirected (HTTP ${response.status}) and redirect is "error" (${request})`,
        { cause: new TypeError("unexpected redirect"), reason: "redirect", request },
      );
    }
    const location = response.headers.get("location");
    let target: URL;
    try {
      if (location === null) break;
      target = new URL(location, url);
    } catch {
      break;
    }
    // Not a place for the token (nor, then, for the body): the caller gets the 3xx itself.
    if (!mayReceiveToken(target, options.origins)) break;
    await discard(response);
    if (hops === MAX_REDIRECTS) {
      throw new ApiError(`API request failed: more than ${MAX_REDIRECTS} redirects (${request})`, {
        reason: "redirect",
        request,
      });
    }
    const status = response.status;
    if (
      (status === 303 && method !== "GET" && method !== "HEAD") ||
      (status < 303 && method === "POST")
    ) {
      method = "GET";
      body = null;
      const rest = new Headers(headers);
      for (const name of BODY_HEADERS) rest.delete(name);
      headers = rest;
    }
    url = target.href;
    response = await options.fetch(url, { ...init, method, headers, body });
  }
  return [response, url];
}

/** Lets go of a body that will not be read, so its connection can serve another request. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
