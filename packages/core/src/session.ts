/** The token request: `POST {authBase}{sessionPath}` with retries, timeouts and a schema check. */
import type { FetchLike } from "./api-request.ts";
import { withAttemptTimeout } from "./attempt-timeout.ts";
import { readTextWithin } from "./bounded-body.ts";
import type { CachedToken } from "./cache.ts";
import type { EnvConfig } from "./config.ts";
import { AuthNetworkError, AuthSessionError, redactedCause } from "./errors.ts";
import { describeRequest } from "./origin-policy.ts";
import { bodyExcerpt, redactSecrets } from "./redact.ts";
import {
  abortedError,
  backoffDelayMs,
  describeFetchFailure,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from "./retry.ts";
import { readTokenResponse } from "./schemas.ts";

export interface SessionRequestOptions {
  readonly config: EnvConfig;
  readonly retry: RetryPolicy;
  readonly fetch: FetchLike;
  /** Cancels the request, its retries and its waits (the token manager's, once nobody waits). */
  readonly signal: AbortSignal;
  /** Told before each retry's wait (the `token.retry` event). */
  readonly onRetry?: (info: {
    reason: "network" | "timeout" | "status";
    status?: number;
    delayMs: number;
    attempt: number;
  }) => void;
}

/** `POST <token URL>`, the `request` of every error of the token request. */
export function describeTokenRequest(config: Pick<EnvConfig, "authBase" | "sessionPath">): string {
  return describeRequest("POST", `${config.authBase}${config.sessionPath}`);
}

const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const isRedirect = (status: number) => status >= 300 && status < 400;

/** A token response is a few hundred bytes; this cap stops a hostile body (or a zip bomb). */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The origin a redirect points at, never the rest of it (a query may carry anything). */
function redirectTarget(location: string | null, base: string): string {
  if (location === null) return "a missing Location";
  try {
    const target = new URL(location, base);
    return target.origin === "null" ? `a ${target.protocol} URL` : target.origin;
  } catch {
    return "an unparsable Location";
  }
}

/**
 * Asks the gateway for a new token. Network errors, timeouts, 408, 429 and 5xx are retried with
 * full-jitter backoff (a `Retry-After` sets the wait instead); anything else fails at once.
 */
export async function requestAccessToken(options: SessionRequestOptions): Promise<CachedToken> {
  const { config, retry, signal } = options;
  const url = `${config.authBase}${config.sessionPath}`;
  const where = describeTokenRequest(config);
  const secrets = [config.clientKey];
  const body = JSON.stringify({ clientKey: config.clientKey });
  const exchange = async (attemptSignal: AbortSignal) => {
    const response = await options.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
      // A followed 307/308 would POST the client key to wherever the gateway points.
      redirect: "manual",
      signal: attemptSignal,
    });
    if (isRedirect(response.status)) {
      await response.body?.cancel().catch(() => {});
      return { response, text: "" };
    }
    return { response, text: await readTextWithin(response, MAX_TOKEN_RESPONSE_BYTES) };
  };

  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw abortedError("The auth session request", signal, where);
    const canRetry = attempt < retry.limit;
    let response: Response;
    let text: string | undefined;
    try {
      // The attempt's timeout covers reading the body too: a gateway may stall mid-body.
      ({ response, text } = await withAttemptTimeout(config.timeoutMs, signal, exchange));
    } catch (error) {
      const failure = describeFetchFailure(error, signal, config.timeoutMs);
      if (failure.kind === "aborted") throw abortedError("The auth session request", signal, where);
      if (canRetry) {
        const delayMs = backoffDelayMs(retry, attempt);
        options.onRetry?.({ reason: failure.kind, delayMs, attempt: attempt + 1 });
        await sleep(delayMs, signal, where);
        continue;
      }
      throw new AuthNetworkError(
        `Auth session request failed: ${redactSecrets(failure.reason, secrets)} (${where}, ${attempt + 1} attempts)`,
        { cause: redactedCause(error, secrets), reason: failure.kind, request: where },
      );
    }

    if (isRedirect(response.status)) {
      const target = redactSecrets(redirectTarget(response.headers.get("location"), url), secrets);
      throw new AuthSessionError(
        `Auth session request failed (HTTP ${response.status}, ${where}): redirected to ${target}; the token request follows no redirect, so the client key was not sent there`,
        { status: response.status, request: where },
      );
    }
    if (text === undefined) {
      throw new AuthSessionError(
        `Auth session response exceeded ${MAX_TOKEN_RESPONSE_BYTES / 1024} KiB (HTTP ${response.status}, ${where}); nothing of it was used`,
        { status: response.status, request: where },
      );
    }

    if (response.ok) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const result = readTokenResponse(json, Date.now() / 1000, config.maxTtlSec);
      if ("token" in result) return result.token;
      // A malformed token may be a real one with a stray byte: the body is not quoted then.
      const detail =
        result.problem === "malformed"
          ? "the token is not 1..16384 visible ASCII characters without spaces"
          : bodyExcerpt(text, secrets);
      throw new AuthSessionError(
        `Missing accessToken in the auth session response (HTTP ${response.status}, ${where}): ${detail}`,
        { status: response.status, request: where },
      );
    }

    const retryAfterSec = parseRetryAfter(response.headers.get("retry-after"));
    const failed = `Auth session request failed (HTTP ${response.status}, ${where})`;
    if (retryAfterSec !== undefined && retryAfterSec > retry.maxRetryAfterSec) {
      throw new AuthSessionError(
        `${failed}: the gateway asked to wait ${Math.ceil(retryAfterSec)} s before retrying, longer than the ${retry.maxRetryAfterSec} s this client waits`,
        { status: response.status, retryAfterSec, request: where },
      );
    }
    if (canRetry && isRetryableStatus(response.status)) {
      const delayMs =
        retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffDelayMs(retry, attempt);
      const status = response.status;
      options.onRetry?.({ reason: "status", status, delayMs, attempt: attempt + 1 });
      await sleep(delayMs, signal, where);
      continue;
    }
    throw new AuthSessionError(`${failed}: ${bodyExcerpt(text, secrets)}`, {
      status: response.status,
      retryAfterSec,
      request: where,
    });
  }
}
