/** Error classes of the auth runtime: each has a stable `code`, a `name`, and keeps its `cause`. */

import { redactSecrets } from "./redact.ts";
import { mayHoldSecret, read } from "./redact-walk.ts";

/**
 * The codes an {@link AuthRuntimeError} can carry: a stable contract (the CLI's exit codes hang
 * on them), unlike messages.
 *
 * @example
 * if (isAuthRuntimeError(error) && error.code === ErrorCode.AuthSession) reportRefusedKey();
 */
export const ErrorCode = {
  Config: "CONFIG_ERROR",
  AuthSession: "AUTH_SESSION_ERROR",
  AuthNetwork: "AUTH_NETWORK_ERROR",
  Api: "API_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Why a token request got no answer, as a plain property that code can test without reading
 * the message, and without `instanceof` (which fails across realms and bundled copies):
 * - `"network"`: the connection failed (refused, reset, DNS, TLS…) or the body could not be read;
 * - `"timeout"`: an attempt outlived `AUTH_TIMEOUT_MS` (the last of its retries, when retried);
 * - `"aborted"`: the caller's `AbortSignal` ended it (never retried).
 */
export type AuthNetworkErrorReason = "network" | "timeout" | "aborted";

/**
 * Why an API request failed without a response to return (see {@link AuthNetworkErrorReason}):
 * - `"refused"`: nothing was sent: the URL is invalid, or the token may not go there (not the
 *   AUTH_BASE origin nor an allowed one, or plain http to a non-loopback host);
 * - `"network"`, `"timeout"`, `"aborted"`: as for the token request;
 * - `"too-large"`: the response body exceeded `maxResponseBytes` (the rest was not read);
 * - `"redirect"`: a redirect with `redirect: "error"`, or more than `MAX_REDIRECTS` of them.
 */
export type ApiErrorReason =
  | "refused"
  | "network"
  | "timeout"
  | "aborted"
  | "too-large"
  | "redirect";

/**
 * Base class of every error the runtime throws on purpose. Messages never contain secrets.
 * Errors of one request also carry `request` (`METHOD url`, the query string removed: queries
 * may carry secrets); a network or API failure carries a `reason`.
 *
 * A timeout is not a class of its own (ky has `TimeoutError`): `reason === "timeout"` says it,
 * and a plain property also survives a second copy of this package, where classes differ.
 */
export class AuthRuntimeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "AuthRuntimeError";
  }
}

/**
 * A configuration value is missing or breaks its rule; the message names the variable (or
 * option) and the rule, never the value.
 *
 * @example
 * try { createEnvConfig(); } catch (error) { if (error instanceof ConfigError) usage(error.message); }
 */
export class ConfigError extends AuthRuntimeError {
  declare readonly code: typeof ErrorCode.Config;

  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Config, message, options);
    this.name = "ConfigError";
  }
}

/**
 * The gateway answered the token request, but not with a token (non-2xx, a redirect, no valid
 * `accessToken`); `status` and `retryAfterSec` say what it answered.
 *
 * @example
 * if (error instanceof AuthSessionError && error.status === 401) console.error("CLIENT_KEY refused");
 */
export class AuthSessionError extends AuthRuntimeError {
  declare readonly code: typeof ErrorCode.AuthSession;
  /** `POST <token URL>` of the token request (undefined only when built by hand without it). */
  readonly request: string | undefined;
  /** HTTP status of the token response, when there was one. */
  readonly status: number | undefined;
  /** Seconds the gateway asked to wait (429/503 `Retry-After`), when it asked. */
  readonly retryAfterSec: number | undefined;
  /**
   * The OAuth 2.0 `error` code of a client_credentials token endpoint's refusal (RFC 6749 §5.2:
   * `invalid_client`, `invalid_scope`, `invalid_target`…), when it gave one.
   * @example
   * if (error instanceof AuthSessionError && error.oauthError === "invalid_client") rotateSecret();
   */
  readonly oauthError: string | undefined;

  constructor(
    message: string,
    options?: {
      cause?: unknown;
      request?: string | undefined;
      status?: number | undefined;
      retryAfterSec?: number | undefined;
      oauthError?: string | undefined;
    },
  ) {
    super(ErrorCode.AuthSession, message, options);
    this.name = "AuthSessionError";
    this.request = options?.request;
    this.status = options?.status;
    this.retryAfterSec = options?.retryAfterSec;
    this.oauthError = options?.oauthError;
  }
}

/**
 * The token request never got an answer: connection refused or dropped, timeout, or aborted;
 * `reason` says which.
 * @example
 * if (isAuthRuntimeError(error) && error.code === "AUTH_NETWORK_ERROR" && error.reason === "timeout") retryLater();
 */
export class AuthNetworkError extends AuthRuntimeError {
  declare readonly code: typeof ErrorCode.AuthNetwork;
  readonly reason: AuthNetworkErrorReason;
  /** `POST <token URL>` of the token request. */
  readonly request: string;
  /** True when the caller's `AbortSignal` ended the request (not a timeout): `reason === "aborted"`. */
  readonly aborted: boolean;

  constructor(
    message: string,
    options: { cause?: unknown; reason: AuthNetworkErrorReason; request: string },
  ) {
    super(ErrorCode.AuthNetwork, message, options);
    this.name = "AuthNetworkError";
    this.reason = options.reason;
    this.request = options.request;
    this.aborted = options.reason === "aborted";
  }
}

/**
 * An API request failed without a response to return: refused before sending, network failure,
 * timeout, abort, a body too large, a redirect not allowed; `reason` says which.
 * @example
 * if (isAuthRuntimeError(error) && error.code === "API_ERROR" && error.reason === "refused") showUsage();
 */
export class ApiError extends AuthRuntimeError {
  declare readonly code: typeof ErrorCode.Api;
  readonly reason: ApiErrorReason;
  /** `METHOD url` of the request, with query string removed (queries may carry secrets). */
  readonly request: string;

  constructor(
    message: string,
    options: { cause?: unknown; reason: ApiErrorReason; request: string },
  ) {
    super(ErrorCode.Api, message, options);
    this.name = "ApiError";
    this.reason = options.reason;
    this.request = options.request;
  }
}

const CODES: readonly unknown[] = Object.values(ErrorCode);

/**
 * True for any error of this runtime, also across realms and bundled copies of it (where
 * `instanceof` fails): then an error-like object with one of the {@link ErrorCode} codes.
 * Narrows to the four classes, so `code` then tells them apart and gives `reason`, `request`…
 * @example
 * if (isAuthRuntimeError(error) && error.code === "API_ERROR" && error.reason === "refused") showUsage();
 */
export function isAuthRuntimeError(
  error: unknown,
): error is ConfigError | AuthSessionError | AuthNetworkError | ApiError {
  if (error instanceof AuthRuntimeError) return true;
  // An Error of another realm is no `instanceof Error` here; its internal tag still says Error.
  const isError =
    error instanceof Error || Object.prototype.toString.call(error) === "[object Error]";
  return isError && CODES.includes((error as { code?: unknown }).code);
}

/**
 * How deep a redacted copy keeps a cause chain (and an AggregateError's `errors`): deeper than any
 * runtime nests its causes, so what lies below is dropped rather than copied.
 */
const MAX_COPY_DEPTH = 8;
/** How many entries of an AggregateError's `errors` a redacted copy keeps. */
const MAX_COPIED_ERRORS = 16;

/**
 * `error` made fit to be an error's `cause`: the error itself when nothing reachable from it holds
 * a secret (see {@link mayHoldSecret}), else a copy of it (name, code, message and stack with the
 * secrets redacted, its own cause and an AggregateError's `errors` treated the same way). fetch
 * quotes a bad header value whole, `Bearer <token>` included, a caller's fetch may hang the
 * request it sent on its error, and `util.inspect` prints all of it.
 */
export function redactedCause(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof error === "string") return redactSecrets(error, secrets);
  if (depth > MAX_COPY_DEPTH) return undefined;
  if (!mayHoldSecret(error, secrets)) return error;
  if (!(error instanceof Error)) return redactSecrets(String(error), secrets);
  const copy = new Error(redactSecrets(String(read(error, "message") ?? ""), secrets));
  copy.name = redactSecrets(String(read(error, "name") ?? "Error"), secrets);
  copy.stack = redactSecrets(String(read(error, "stack") ?? ""), secrets);
  const code = read(error, "code");
  if (typeof code === "string" || typeof code === "number") {
    const safe = typeof code === "string" ? redactSecrets(code, secrets) : code;
    Object.defineProperty(copy, "code", { value: safe, enumerable: true });
  }
  const errors = read(error, "errors");
  if (Array.isArray(errors)) {
    const kept = errors.slice(0, MAX_COPIED_ERRORS);
    Object.defineProperty(copy, "errors", {
      value: kept.map((each) => redactedCause(each, secrets, depth + 1)),
      enumerable: false,
    });
  }
  const cause = read(error, "cause");
  if (cause !== undefined) copy.cause = redactedCause(cause, secrets, depth + 1);
  return copy;
}

/**
 * `error` itself with every own text of it redacted: message, stack and each field (`oauthError`
 * quotes the server, which may echo the credentials it got), its cause chain through
 * {@link redactedCause}. For the errors a request builds: each field is checked once here, so a
 * field added later cannot slip past.
 */
export function redactErrorFields<E extends Error>(error: E, secrets: readonly string[]): E {
  for (const key of Object.getOwnPropertyNames(error)) {
    const field = Object.getOwnPropertyDescriptor(error, key);
    // A frozen field is not ours (the runtime's errors have none): left as it is.
    if (key === "cause" || !field?.configurable) continue;
    const value: unknown = (error as unknown as Record<string, unknown>)[key];
    if (typeof value !== "string") continue;
    const redacted = redactSecrets(value, secrets);
    if (redacted === value) continue;
    Object.defineProperty(error, key, {
      value: redacted,
      writable: true,
      configurable: true,
      enumerable: field.enumerable ?? false,
    });
  }
  if (error.cause !== undefined) error.cause = redactedCause(error.cause, secrets);
  return error;
}
