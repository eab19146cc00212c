/**
 * The network step of a flight: one token request (with its retries), then the store written;
 * when the request fails and a token is still really valid, that token is served instead.
 */

import type { CachedToken } from "../cache/cache-file.ts";
import type { EnvConfig } from "../config/config.ts";
import type { DiscoveryStore } from "../grants/grant.ts";
import { requestAccessToken } from "../grants/token-request.ts";
import type { RetryPolicy } from "../http/retry.ts";
import { recordTokenRequest } from "../observe/otel.ts";
import type { FetchLike, ProxyUse } from "../platform/platform.ts";
import type { Flight } from "./single-flight.ts";
import type { StoreReads } from "./store-reads.ts";
import type { TokenEvents } from "./token-events.ts";
import type { TokenInfo, TokenMemory } from "./token-memory.ts";

/** What a token request needs: the settings of the manager that sends it. */
export interface TokenRequestSettings {
  readonly config: EnvConfig;
  readonly fetch: FetchLike;
  /** The proxy `fetch` uses for a URL, when it is the platform's (a failure then names it). */
  readonly proxyFor?: ((url: string) => ProxyUse | undefined) | undefined;
  readonly retry: RetryPolicy;
  readonly warn: (message: string) => void;
  /** Where an issuer's discovered token endpoint is shared with other processes. @default none */
  readonly discoveryStore?: DiscoveryStore | undefined;
}

/** The manager's parts a token request reads and writes. */
export interface FetchParts {
  readonly settings: TokenRequestSettings;
  readonly memory: TokenMemory;
  readonly reads: StoreReads;
  /** Tells the flight's listeners (`token.retry`, `token.stale_served`). */
  readonly events: TokenEvents;
}

/** One token request of `flight`, after the store and the lock had no acceptable token. */
export interface FetchStep {
  /** The token the gateway refused (a refresh), never served again. */
  readonly rejected: string | undefined;
  /** What the store held at the last read, a candidate for the stale fallback. */
  readonly stored: CachedToken | undefined;
  readonly refreshing: boolean;
  readonly signal: AbortSignal;
}

/** Asks the gateway for a token and stores it; on failure, serves a still-valid one if any. */
export async function fetchAndStore(
  parts: FetchParts,
  flight: Flight,
  step: FetchStep,
): Promise<TokenInfo> {
  const { settings, memory, reads } = parts;
  const { rejected, stored, refreshing, signal } = step;
  const { config, retry } = settings;
  let token: CachedToken;
  const startedMs = Date.now();
  flight.attempts = 1;
  try {
    token = await requestAccessToken({
      config,
      retry,
      fetch: settings.fetch,
      proxyFor: settings.proxyFor,
      discoveryStore: settings.discoveryStore,
      signal,
      onRetry: (info) => {
        flight.attempts = info.attempt + 1;
        parts.events.emit(flight, { type: "token.retry", ...info });
      },
    });
    flight.tier = "network";
    recordTokenRequest(Date.now() - startedMs, "success", refreshing);
  } catch (error) {
    recordTokenRequest(Date.now() - startedMs, "failure", refreshing);
    // Nobody waits any more: no stale token to serve, no warning to give.
    if (signal.aborted) throw error;
    // A refresh in a process that held no token skips every cached one on purpose (what
    // `refreshAccessToken` and `token --refresh` promise): serving one would hide the failure.
    if (refreshing && rejected === undefined) throw error;
    // A refresh that fails while a token is still really valid serves that token.
    const nowSec = Date.now() / 1000;
    const held = memory.token;
    const fallback = [held, stored]
      .filter(
        (t): t is CachedToken =>
          t !== undefined && t.accessToken !== rejected && nowSec < t.expiresAt,
      )
      .sort((a, b) => b.expiresAt - a.expiresAt)[0];
    if (fallback) {
      settings.warn(
        `token refresh failed (${(error as Error).message}); serving the cached token until it expires`,
      );
      memory.servingStale();
      flight.tier = fallback !== held ? reads.tierOf(fallback) : "memory";
      const code = (error as { code?: unknown }).code;
      parts.events.emit(flight, {
        type: "token.stale_served",
        expiresInSec: Math.max(0, Math.round(fallback.expiresAt - nowSec)),
        error: typeof code === "string" ? code : "ERROR",
      });
      return memory.remember(fallback, "stale");
    }
    throw error;
  }
  try {
    // A refresh replaces what is stored, even a refused token that claims to live longer
    // (the store keeps the later-expiring token otherwise), and so does a token that outlived
    // maxTtlSec. The lock is normally held here.
    if ((refreshing && stored) || reads.holdsPoison) await reads.dropStored();
  } catch (error) {
    settings.warn(`could not write the token cache: ${(error as Error).message}`);
  }
  if (token.expiresAt <= Date.now() / 1000) {
    // Served to this call, as the gateway meant it; kept nowhere, so that no later call
    // (here or in another process) takes it for fresh.
    settings.warn(
      "the gateway issued a token that had already expired; it is used once and not cached",
    );
    return { ...token, source: "network" };
  }
  try {
    await reads.store?.set(reads.key, token);
  } catch (error) {
    settings.warn(`could not write the token cache: ${(error as Error).message}`);
  }
  return memory.remember(token, "network");
}
