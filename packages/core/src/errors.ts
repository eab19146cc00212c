/** Error classes of the auth runtime: each has a stable `code`, a `name`, and keeps its `cause`. */
import { redactSecrets } from "./redact.ts";

/** The codes an {@link AuthRuntimeError} can carry. */
export const ErrorCode = {
  Config: "CONFIG_ERROR",
  AuthSession: "AUTH_SESSION_ERROR",
  AuthNetwork: "AUTH_NETWORK_ERROR",
  Api: "API_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error the runtime throws on purpose. Messages never contain secrets. */
export class AuthRuntimeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "AuthRuntimeError";
  }
}

/** A configuration value is missing or breaks its rule; the message names the variable. */
export class ConfigError extends AuthRuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Config, message, options);
    this.name = "ConfigError";
  }
}

/** The gateway answered the token request, but not with a token (non-2xx, or no `accessToken`). */
export class AuthSessionError extends AuthRuntimeError {
  /** HTTP status of the token response, when there was one. */
  readonly status: number | undefined;
  /** Seconds the gateway asked to wait (429/503 `Retry-After`), when it asked. */
  readonly retryAfterSec: number | undefined;

  constructor(
    message: string,
    options?: { cause?: unknown; status?: number | undefined; retryAfterSec?: number | undefined },
  ) {
    super(ErrorCode.AuthSession, message, options);
    this.name = "AuthSessionError";
    this.status = options?.status;
    this.retryAfterSec = options?.retryAfterSec;
  }
}

/** The token request never got an answer: connection refused or dropped, timeout, or aborted. */
export class AuthNetworkError extends AuthRuntimeError {
  /** True when the caller's `AbortSignal` ended the request (not a timeout). */
  readonly aborted: boolean;

  constructor(message: string, options?: { cause?: unknown; aborted?: boolean }) {
    super(ErrorCode.AuthNetwork, message, options);
    this.name = "AuthNetworkError";
    this.aborted = options?.aborted ?? false;
  }
}

/** An API request could not be sent (refused URL, network failure, timeout, abort). */
export class ApiError extends AuthRuntimeError {
  /** `METHOD url` of the request, with query string removed (queries may carry secrets). */
  readonly request: string;

  constructor(message: string, options: { cause?: unknown; request: string }) {
    super(ErrorCode.Api, message, options);
    this.name = "ApiError";
    this.request = options.request;
  }
}

/** True for any error of this runtime, also across realms and bundled copies of it. */
export function isAuthRuntimeError(error: unknown): error is AuthRuntimeError {
  if (error instanceof AuthRuntimeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && Object.values(ErrorCode).includes(code as ErrorCode);
}

/**
 * `error` made fit to be an error's `cause`: the error itself when none of its text holds a
 * secret, else a copy of it (name, code, message and stack with the secrets redacted, its own
 * cause treated the same way). fetch quotes a bad header value whole, `Bearer <token>`
 * included, and `util.inspect` prints a cause chain in full.
 */
export function redactedCause(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof error === "string") return redactSecrets(error, secrets);
  // Deeper than any runtime nests its causes: dropped rather than checked.
  if (depth > 4) return undefined;
  if (!holdsSecret(error, secrets)) return error;
  if (!(error instanceof Error)) return redactSecrets(String(error), secrets);
  const copy = new Error(redactSecrets(error.message, secrets));
  copy.name = error.name;
  copy.stack = redactSecrets(error.stack ?? "", secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") {
    Object.defineProperty(copy, "code", { value: code, enumerable: true });
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) copy.cause = redactedCause(cause, secrets, depth + 1);
  return copy;
}

/** True when the message, stack, a string property or the cause chain of `error` holds a secret. */
function holdsSecret(error: unknown, secrets: readonly string[], depth = 0): boolean {
  if (depth > 4 || error === null || error === undefined) return false;
  const holds = (text: unknown) =>
    typeof text === "string" && redactSecrets(text, secrets) !== text;
  if (typeof error !== "object") return holds(String(error));
  if (error instanceof Error && (holds(error.message) || holds(error.stack))) return true;
  for (const value of Object.values(error)) if (holds(value)) return true;
  return holdsSecret((error as { cause?: unknown }).cause, secrets, depth + 1);
}
