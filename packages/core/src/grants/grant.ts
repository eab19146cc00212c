/** The one small interface a token request's protocol implements (session, client_credentials). */

import type { CachedToken } from "../cache/cache-file.ts";
import type { FetchLike } from "../platform/platform.ts";
import type { OAuthErrorResponse } from "./token-response.ts";

/**
 * Where an issuer's discovered metadata is kept between processes (the runtime's: a
 * `discovery_<hash>.json` beside the tokens). Text in, text out: discovery checks what it reads,
 * so a store only keeps it. Failures are the store's to swallow: a miss, a write not made.
 */
export interface DiscoveryStore {
  /**
   * What the store keeps its entries in (the cache dir): two stores with the same id are the
   * same store, so their callers may share a discovery. Without it, only the object itself is.
   */
  readonly id?: string;
  /** What was stored for `issuer`, or undefined. */
  get(issuer: string): Promise<string | undefined>;
  /** Keeps `text` for `issuer`. */
  set(issuer: string, text: string): Promise<void>;
}

/** What a grant may need to find its endpoint (discovery asks the issuer). */
export interface GrantContext {
  readonly fetch: FetchLike;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Discovered metadata shared with other processes; without it, each process asks once. */
  readonly discoveryStore?: DiscoveryStore | undefined;
}

/**
 * A token request's protocol. session.ts owns what every grant shares (retries, timeouts,
 * redirects refused, bounded reads, typed errors); a grant says where the request goes, what it
 * sends and how its answer reads.
 */
export interface TokenGrant {
  /** How messages name the request: `Auth session request`, `OAuth token request`. */
  readonly what: string;
  /** What the request carries, for messages: `the client key was`, `the client credentials were`. */
  readonly carries: string;
  /** Every form of the credentials, redacted from every message. */
  readonly secrets: readonly string[];
  /**
   * The absolute URL of the token request (discovered once per process when it must be).
   * Rejects with a `ConfigError` when no request can be made at all (a key the runtime cannot
   * sign with): before anything is sent, and never retried.
   */
  endpoint(context: GrantContext): Promise<string>;
  /** Headers and body of one attempt (a new client assertion each time: a `jti` is single use). */
  prepare(endpoint: string): Promise<{ headers: Record<string, string>; body: string }>;
  /**
   * The token of a 2xx body, or what is wrong with it for the message; an empty `problem` lets
   * the message quote the body (redacted) instead.
   */
  /** Async: the answer's zod schemas (schemas.ts) are loaded when the first answer comes. */
  readSuccess(
    json: unknown,
    nowSec: number,
    maxTtlSec: number,
  ): Promise<CachedToken | { problem: string }>;
  /** The protocol's error of a refused request (RFC 6749 §5.2), when it has one. */
  readFailure(json: unknown): Promise<OAuthErrorResponse | undefined>;
}
