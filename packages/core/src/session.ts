/** The token request: `POST {authBase}{sessionPath}` with retries, timeouts and a schema check. */
import type { FetchLike } from "./api-request.ts";
import type { EnvConfig } from "./config.ts";
import { AuthNetworkError, AuthSessionError } from "./errors.ts";
import { bodyExcerpt, redactSecrets } from "./redact.ts";
import {
  abortedError,
  attemptSignal,
  backoffDelayMs,
  describeFetchFailure,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from "./retry.ts";
import { type CachedToken, tokenFromResponse } from "./schemas.ts";

export interface SessionRequestOptions {
  readonly config: EnvConfig;
  readonly retry: RetryPolicy;
  readonly fetch: FetchLike;
  readonly signal?: AbortSignal | undefined;
}

const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Asks the gateway for a new token. Network errors, timeouts, 408, 429 and 5xx are retried with
 * full-jitter backoff (a `Retry-After` sets the wait instead); anything else fails at once.
 */
export async function requestAccessToken(options: SessionRequestOptions): Promise<CachedToken> {
  const { config, retry, signal } = options;
  const url = `${config.authBase}${config.sessionPath}`;
  const where = `POST ${url}`;
  const secrets = [config.clientKey];
  const body = JSON.stringify({ clientKey: config.clientKey });

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError("The auth session request", signal);
    const canRetry = attempt < retry.limit;
    let response: Response;
    let text: string;
    try {
      response = await options.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body,
        signal: attemptSignal(config.timeoutMs, signal),
      });
      text = await response.text();
    } catch (error) {
      const failure = describeFetchFailure(error, signal, config.timeoutMs);
      if (failure.kind === "aborted")
        throw abortedError("The auth session request", signal as AbortSignal);
      if (canRetry) {
        await sleep(backoffDelayMs(retry, attempt), signal);
        continue;
      }
      throw new AuthNetworkError(
        `Auth session request failed: ${redactSecrets(failure.reason, secrets)} (${where}, ${attempt + 1} attempts)`,
        { cause: error },
      );
    }

    if (response.ok) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const token = tokenFromResponse(json, Date.now() / 1000);
      if (token) return token;
      throw new AuthSessionError(
        `Missing accessToken in the auth session response (HTTP ${response.status}, ${where}): ${bodyExcerpt(text, secrets)}`,
        { status: response.status },
      );
    }

    const retryAfterSec = parseRetryAfter(response.headers.get("retry-after"));
    const failed = `Auth session request failed (HTTP ${response.status}, ${where})`;
    if (retryAfterSec !== undefined && retryAfterSec > retry.maxRetryAfterSec) {
      throw new AuthSessionError(
        `${failed}: the gateway asked to wait ${Math.ceil(retryAfterSec)} s before retrying, longer than the ${retry.maxRetryAfterSec} s this client waits`,
        { status: response.status, retryAfterSec },
      );
    }
    if (canRetry && isRetryableStatus(response.status)) {
      await sleep(
        retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffDelayMs(retry, attempt),
        signal,
      );
      continue;
    }
    throw new AuthSessionError(`${failed}: ${bodyExcerpt(text, secrets)}`, {
      status: response.status,
      retryAfterSec,
    });
  }
}
