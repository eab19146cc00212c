/** The dev gateway's options, their defaults, and their validation in one place. */

/** The client key the dev gateway accepts when none are configured. */
export const DEFAULT_DEV_CLIENT_KEY = "dev-client-key";

/** The OAuth 2.0 client id whose secrets are the client keys (the token endpoint `/oauth/token`). */
export const DEFAULT_DEV_CLIENT_ID = "dev-client";

/** How to start a dev gateway. */
export interface DevGatewayOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to bind. @default "127.0.0.1" */
  hostname?: string;
  /** Lifetime of issued tokens in seconds (fractions allowed). @default 900 */
  ttlSec?: number;
  /** Client keys that may obtain a token. @default ["dev-client-key"] */
  clientKeys?: readonly string[];
  /** Path of the token endpoint. @default "/auth/session" */
  sessionPath?: string;
  /**
   * The client id of OAuth 2.0 client_credentials requests to `/oauth/token`; the client keys
   * are its secrets. @default "dev-client"
   */
  oauthClientId?: string;
  /**
   * Serves the admin API under `/__admin/` (stats, faults, revoke, stop over HTTP), for tests
   * that run the gateway in another process. @default false
   */
  admin?: boolean;
}

/** Options after defaults. */
export interface ResolvedDevGatewayOptions {
  readonly port: number;
  readonly hostname: string;
  readonly ttlSec: number;
  readonly clientKeys: ReadonlySet<string>;
  readonly sessionPath: string;
  readonly oauthClientId: string;
  readonly admin: boolean;
}

/**
 * Applies defaults and checks every option; throws TypeError naming the option (never a key's
 * value) when one is wrong.
 */
export function resolveOptions(options: DevGatewayOptions = {}): ResolvedDevGatewayOptions {
  const {
    port = 0,
    hostname = "127.0.0.1",
    ttlSec = 900,
    clientKeys = [DEFAULT_DEV_CLIENT_KEY],
    sessionPath = "/auth/session",
    oauthClientId = DEFAULT_DEV_CLIENT_ID,
    admin = false,
  } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError("options.port must be an integer from 0 to 65535");
  }
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError("options.hostname must be a non-empty string");
  }
  validateTtl(ttlSec, "options.ttlSec");
  if (!Array.isArray(clientKeys) || clientKeys.length === 0) {
    throw new TypeError("options.clientKeys must list at least one key");
  }
  clientKeys.forEach((key, i) => {
    if (typeof key !== "string" || key === "") {
      throw new TypeError(`options.clientKeys[${i}] must be a non-empty string`);
    }
  });
  if (typeof sessionPath !== "string" || !sessionPath.startsWith("/")) {
    throw new TypeError('options.sessionPath must be a path starting with "/"');
  }
  if (typeof oauthClientId !== "string" || oauthClientId === "") {
    throw new TypeError("options.oauthClientId must be a non-empty string");
  }
  if (typeof admin !== "boolean") throw new TypeError("options.admin must be a boolean");
  if (admin && sessionPath.startsWith("/__admin/")) {
    throw new TypeError("options.sessionPath must not be under /__admin/ when admin is on");
  }
  return {
    port,
    hostname,
    ttlSec,
    clientKeys: new Set(clientKeys),
    sessionPath,
    oauthClientId,
    admin,
  };
}

/** Throws TypeError unless `ttlSec` is a finite number of seconds above 0. */
export function validateTtl(ttlSec: unknown, name: string): asserts ttlSec is number {
  if (typeof ttlSec !== "number" || !Number.isFinite(ttlSec) || ttlSec <= 0) {
    throw new TypeError(`${name} must be a number of seconds > 0`);
  }
}
