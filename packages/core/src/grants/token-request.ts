/**
 * The token request of either grant (the gateway's session request, or OAuth 2.0
 * client_credentials; see grants/), with what both share: retries, timeouts, no redirects, a
 * bounded read, a schema check and typed, redacted errors.
 */

import type { CachedToken } from "../cache/cache-file.ts";
import type { EnvConfig } from "../config/config.ts";
import {
  AuthNetworkError,
  AuthSessionError,
  redactErrorFields,
  redactedCause,
} from "../errors/errors.ts";
import { bodyExcerpt, redactSecrets } from "../errors/redact.ts";
import { boundedFetch, isRedirect } from "../http/bounded-fetch.ts";
import { describeRequest } from "../http/describe-request.ts";
import { throughProxy } from "../http/proxy.ts";
import {
  abortedError,
  backoffDelayMs,
  describeFetchFailure,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from "../http/retry.ts";
import type { FetchLike, ProxyUse } from "../platform/platform.ts";
import type { ClientCredentialsConfig } from "./client-credentials.ts";
import type { DiscoveryStore, TokenGrant } from "./grant.ts";
import { sessionGrant } from "./session.ts";

export interface SessionRequestOptions {
  readonly config: EnvConfig;
  readonly retry: RetryPolicy;
  readonly fetch: FetchLike;
  /** The proxy `fetch` sends a URL through, when known: a connection failure then names it. */
  readonly proxyFor?: ((url: string) => ProxyUse | undefined) | undefined;
  /** Cancels the request, its retries and its waits (the token manager's, once nobody waits). */
  readonly signal: AbortSignal;
  /**
   * Called right before each retry's wait: why the attempt failed (`status`: its HTTP status),
   * how long the wait is and which attempt (1-based) failed.
   */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Where a discovered token endpoint is shared with other processes (client_credentials with an issuer). */
  readonly discoveryStore?: DiscoveryStore | undefined;
}

/** What {@link SessionRequestOptions.onRetry} is told. */
export interface RetryInfo {
  readonly reason: "network" | "timeout" | "status";
  readonly status?: number;
  readonly delayMs: number;
  readonly attempt: number;
}

/** What either grant reads: client_credentials' settings, the session path and the choice. */
type GrantConfig = ClientCredentialsConfig & Pick<EnvConfig, "sessionPath" | "grant">;

/**
 * The grant `config` names (`AUTH_GRANT`). client_credentials' modules (client assertions,
 * discovery) are loaded with its first token request, not with the runtime.
 */
export async function grantFor(config: GrantConfig): Promise<TokenGrant> {
  if (config.grant !== "client_credentials") return sessionGrant(config);
  const { clientCredentialsGrant } = await import("./client-credentials.ts");
  return clientCredentialsGrant(config);
}

const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

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
  const grant = await grantFor(options.config);
  try {
    return await request(grant, options);
  } catch (error) {
    // Messages are redacted where they are written; the other fields (a server's `error`
    // code, a cause) are made safe here, once, whatever error it is.
    throw error instanceof Error ? redactErrorFields(error, grant.secrets) : error;
  }
}

async function request(grant: TokenGrant, options: SessionRequestOptions): Promise<CachedToken> {
  const { config, retry, signal } = options;
  const what = grant.what;
  const url = await grant.endpoint({
    fetch: options.fetch,
    signal,
    timeoutMs: config.timeoutMs,
    discoveryStore: options.discoveryStore,
  });
  // The proxy's credentials too: its failure or its 407 answer may echo them.
  const proxy = options.proxyFor?.(url);
  const secrets = proxy?.secrets ? [...grant.secrets, ...proxy.secrets] : grant.secrets;
  const where = describeRequest("POST", url);
  const exchange = () =>
    boundedFetch({
      fetch: options.fetch,
      url,
      init: async () => ({ method: "POST", ...(await grant.prepare(url)) }),
      timeoutMs: config.timeoutMs,
      signal,
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      // The answer's schemas (zod) load while the request travels, not after the answer came:
      // the lock holder of a storm has every other process waiting on it.
      whileSent: () => {
        import("./token-response.ts").catch(() => {});
      },
    });
  const wait = async (info: RetryInfo) => {
    options.onRetry?.(info);
    await sleep(info.delayMs, signal, where);
  };

  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw abortedError(`The ${lower(what)}`, signal, where);
    const canRetry = attempt < retry.limit;
    let response: Response;
    let text: string | undefined;
    try {
      ({ response, text } = await exchange());
    } catch (error) {
      const failure = describeFetchFailure(error, signal, config.timeoutMs);
      if (failure.kind === "aborted") throw abortedError(`The ${lower(what)}`, signal, where);
      if (canRetry) {
        await wait({
          reason: failure.kind,
          delayMs: backoffDelayMs(retry, attempt),
          attempt: attempt + 1,
        });
        continue;
      }
      const reason = redactSecrets(failure.reason, secrets);
      const via = proxy ? `, ${throughProxy(proxy, reason)}` : "";
      throw new AuthNetworkError(
        `${what} failed: ${reason} (${where}, ${attempt + 1} attempts${via})`,
        { cause: redactedCause(error, secrets), reason: failure.kind, request: where },
      );
    }

    if (isRedirect(response.status)) {
      const target = redactSecrets(redirectTarget(response.headers.get("location"), url), secrets);
      throw new AuthSessionError(
        `${what} failed (HTTP ${response.status}, ${where}): redirected to ${target}; the token request follows no redirect, so ${grant.carries} not sent there`,
        { status: response.status, request: where },
      );
    }
    if (text === undefined) {
      throw new AuthSessionError(
        `${responseName(what)} exceeded ${MAX_TOKEN_RESPONSE_BYTES / 1024} KiB (HTTP ${response.status}, ${where}); nothing of it was used`,
        { status: response.status, request: where },
      );
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) {
      const result = await grant.readSuccess(json, Date.now() / 1000, config.maxTtlSec);
      if ("accessToken" in result) return result;
      // A malformed token may be a real one with a stray byte: the body is not quoted then.
      const detail = result.problem || bodyExcerpt(text, secrets);
      throw new AuthSessionError(
        `Missing accessToken in the ${lower(responseName(what))} (HTTP ${response.status}, ${where}): ${detail}`,
        { status: response.status, request: where },
      );
    }

    const retryAfterSec = parseRetryAfter(response.headers.get("retry-after"));
    const failed = `${what} failed (HTTP ${response.status}, ${where})`;
    if (retryAfterSec !== undefined && retryAfterSec > retry.maxRetryAfterSec) {
      throw new AuthSessionError(
        `${failed}: the gateway asked to wait ${Math.ceil(retryAfterSec)} s before retrying, longer than the ${retry.maxRetryAfterSec} s this client waits`,
        { status: response.status, retryAfterSec, request: where },
      );
    }
    if (canRetry && isRetryableStatus(response.status)) {
      await wait({
        reason: "status",
        status: response.status,
        delayMs:
          retryAfterSec !== undefined ? retryAfterSec * 1000 : backoffDelayMs(retry, attempt),
        attempt: attempt + 1,
      });
      continue;
    }
    const oauth = await grant.readFailure(json);
    if (oauth) {
      // RFC 6749 §5.2: the code is the contract; the description is the server's prose.
      const description =
        oauth.description === undefined ? "" : `: ${bodyExcerpt(oauth.description, secrets)}`;
      throw new AuthSessionError(
        `${failed}: ${redactSecrets(oauth.error, secrets)}${description}`,
        { status: response.status, retryAfterSec, request: where, oauthError: oauth.error },
      );
    }
    throw new AuthSessionError(`${failed}: ${bodyExcerpt(text, secrets)}`, {
      status: response.status,
      retryAfterSec,
      request: where,
    });
  }
}

/** `Auth session request` -> `auth session request`, for the middle of a sentence. */
const lower = (text: string) => text.replace(/^[A-Z][a-z]/, (c) => c.toLowerCase());

/** `Auth session request` -> `Auth session response`. */
const responseName = (what: string) => what.replace(/request$/, "response");
