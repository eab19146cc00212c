/** Sending one API request: where the token may go, replayable bodies, and the plain send. */
import { ApiResponse } from "./api-response.ts";
import type { AttemptTimeouts } from "./attempt-timeout.ts";
import { ApiError } from "./errors.ts";
import { describeRequest } from "./origin-policy.ts";
import { redactSecrets } from "./redact.ts";
import { describeFetchFailure } from "./retry.ts";

/** The `fetch` the runtime calls; inject one to route or instrument requests. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What `new Headers(...)` takes. */
export type HeadersInit = ConstructorParameters<typeof Headers>[0];

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

/** What every API call takes. */
export interface ApiRequestInit {
  /** @default "GET" */
  readonly method?: string | undefined;
  /** An absolute URL, or a path resolved against `authBase`. */
  readonly url: string | URL;
  readonly headers?: HeadersInit | undefined;
  readonly body?: ApiBody | undefined;
  readonly signal?: AbortSignal | undefined;
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
 * The body in a form fetch can send twice, and the content type it implies. Streams are read
 * into bytes once, so the retry sends the same bytes ("body already used" is the usual bug).
 * Only a stream needs a promise; any other body is converted at once, without a microtask.
 */
export function toReplayableBody(body: ApiBody | undefined): Replayable | Promise<Replayable> {
  if (body === undefined || body === null) return NO_BODY;
  if (isPlainJson(body)) return { body: JSON.stringify(body), contentType: "application/json" };
  // The Fetch standard's type for a string body; Bun's fetch leaves it out, Node's sets it.
  if (typeof body === "string") return { body, contentType: "text/plain;charset=UTF-8" };
  if (body instanceof ReadableStream) {
    return new Response(body).arrayBuffer().then((bytes) => ({ body: new Uint8Array(bytes) }));
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

export interface SendOptions {
  readonly method: string;
  /** The absolute URL (fetch parses it). */
  readonly url: string;
  readonly headers: Headers | Record<string, string>;
  readonly body: ReplayableBody;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly timeouts: AttemptTimeouts;
  readonly fetch: FetchLike;
  /** Removed from any error message. */
  readonly secrets: readonly string[];
}

/** The runtime's own fetch, as it was when this module loaded (not one patched in since). */
const runtimeFetch = globalThis.fetch;

/**
 * One HTTP exchange, the body read as text; failures without a response become {@link ApiError}.
 * The attempt's timeout aborts it with a `TimeoutError`, as `AbortSignal.timeout` would.
 */
export async function sendApiRequest(options: SendOptions): Promise<ApiResponse> {
  // A caller's signal is combined with ours; a fetch of the caller's may hold on to ours.
  const keepsSignal = options.signal !== undefined || options.fetch !== runtimeFetch;
  const attempt = options.timeouts.start(options.timeoutMs, keepsSignal);
  try {
    const response = await options.fetch(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal: options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal,
    });
    const body = await response.text();
    return new ApiResponse({ status: response.status, body, url: options.url, from: response });
  } catch (error) {
    const failure = describeFetchFailure(error, options.signal, options.timeoutMs);
    const reason =
      failure.kind === "aborted" ? "aborted" : redactSecrets(failure.reason, options.secrets);
    // Described only here: the string work is wasted on every request that succeeds.
    const request = describeRequest(options.method, options.url);
    throw new ApiError(`API request failed: ${reason} (${request})`, { cause: error, request });
  } finally {
    options.timeouts.end(attempt);
  }
}
