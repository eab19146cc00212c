/** Error classes of the auth runtime: each has a stable `code`, a `name`, and keeps its `cause`. */

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
