/**
 * One bounded exchange, as the token request and discovery make it: a single request that
 * follows no redirect, under the attempt's timeout (which covers reading the body, since a
 * server may stall mid-body), whose body is read only up to a byte cap. Retries, and what a
 * failure or an answer means, stay with the caller.
 */
import type { FetchLike } from "../platform/platform.ts";
import { withAttemptTimeout } from "./attempt-timeout.ts";
import { readTextWithin } from "./bounded-body.ts";

/** What an exchange sends besides its URL (never `redirect` or `signal`: those are set here). */
export interface BoundedInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface BoundedRequest {
  readonly fetch: FetchLike;
  readonly url: string;
  /**
   * What to send, or a function that makes it for this attempt, inside its timeout (a grant
   * signs a new client assertion for each attempt).
   */
  readonly init: BoundedInit | (() => Promise<BoundedInit>);
  /** The attempt's timeout, from before the request is made until the body is read. */
  readonly timeoutMs: number;
  /** The caller's signal: aborting it ends the request and the read at once. */
  readonly signal: AbortSignal;
  /** Bytes of body read at most (after decompression); a larger body is cancelled. */
  readonly maxBytes: number;
  /**
   * Whether the body of `response` is read at all; one that is not is cancelled unread.
   * @default not a redirect
   */
  readonly readBody?: (response: Response) => boolean;
  /** Called once the request is on its way, before its answer: work to do meanwhile. */
  readonly whileSent?: () => void;
}

export interface BoundedResponse {
  /** The answer; a redirect is this 3xx answer itself, never followed. */
  readonly response: Response;
  /** The body, or undefined when it was not read (see `readBody`) or exceeded `maxBytes`. */
  readonly text: string | undefined;
}

/** A 3xx answer: with `redirect: "manual"`, the redirect itself. */
export const isRedirect = (status: number): boolean => status >= 300 && status < 400;

const notRedirect = (response: Response) => !isRedirect(response.status);

/**
 * Makes one request and reads its answer within bounds. It rejects as the fetch does (a network
 * failure, or the `TimeoutError` or abort reason of the attempt's signal): `describeFetchFailure`
 * (retry.ts) says which.
 * @example
 * const { response, text } = await boundedFetch({
 *   fetch, url, init: { headers: { accept: "application/json" } },
 *   timeoutMs: 10_000, signal, maxBytes: 64 * 1024,
 * });
 */
export function boundedFetch(request: BoundedRequest): Promise<BoundedResponse> {
  const readBody = request.readBody ?? notRedirect;
  return withAttemptTimeout(request.timeoutMs, request.signal, async (signal) => {
    const init = typeof request.init === "function" ? await request.init() : request.init;
    // A followed 307/308 would send the request (and what it carries) wherever the server points.
    const sent = request.fetch(request.url, { ...init, redirect: "manual", signal });
    request.whileSent?.();
    const response = await sent;
    if (!readBody(response)) {
      await response.body?.cancel().catch(() => {});
      return { response, text: undefined };
    }
    return { response, text: await readTextWithin(response, request.maxBytes, signal) };
  });
}
