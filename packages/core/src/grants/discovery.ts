/**
 * The token endpoint of an issuer, from its metadata: RFC 8414
 * (`/.well-known/oauth-authorization-server`, inserted before the issuer's path), then OpenID
 * Connect Discovery (`{issuer}/.well-known/openid-configuration`). Asked once per process.
 */
import { withAttemptTimeout } from "../attempt-timeout.ts";
import { readTextWithin } from "../bounded-body.ts";
import { isHttpsOrLoopback } from "../cache.ts";
import { AuthNetworkError, AuthSessionError, redactedCause } from "../errors.ts";
import { describeRequest } from "../origin-policy.ts";
import { describeFetchFailure } from "../retry.ts";
import type { GrantContext } from "./grant.ts";

/** A metadata document is a few KiB; this bounds a hostile one. */
export const MAX_DISCOVERY_BYTES = 64 * 1024;

/** The two metadata URLs of `issuer`, in the order they are tried. */
export function discoveryUrls(issuer: string): readonly string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

const withoutSlash = (text: string) => text.replace(/\/$/, "");

/**
 * The `token_endpoint` of a metadata document, when the document is the issuer's own (RFC 8414
 * §3.3: its `issuer` is the one asked, else an attacker's document could name its own endpoint)
 * and the endpoint may receive credentials (https, or http to loopback; no fragment).
 */
export function tokenEndpointOf(issuer: string, metadata: unknown): string | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { issuer: named, token_endpoint } = metadata as Record<string, unknown>;
  if (typeof named !== "string" || withoutSlash(named) !== withoutSlash(issuer)) return undefined;
  if (typeof token_endpoint !== "string" || token_endpoint.includes("#")) return undefined;
  return isHttpsOrLoopback(token_endpoint) ? token_endpoint : undefined;
}

/** Endpoints found, by issuer: the process asks each issuer once. */
const discovered = new Map<string, Promise<string>>();

/**
 * The token endpoint of `issuer`, asked once per process (a failure is not remembered: the next
 * token request asks again). Each metadata request follows no redirect, reads at most 64 KiB and
 * has the per-attempt timeout; a network failure is an {@link AuthNetworkError}, no usable
 * document at either URL an {@link AuthSessionError}.
 * @example
 * const tokenUrl = await discoverTokenEndpoint("https://idp.example.com/realms/x", { fetch, signal, timeoutMs: 10_000 });
 */
export function discoverTokenEndpoint(issuer: string, context: GrantContext): Promise<string> {
  let endpoint = discovered.get(issuer);
  if (!endpoint) {
    endpoint = discover(issuer, context);
    endpoint.catch(() => discovered.delete(issuer));
    discovered.set(issuer, endpoint);
  }
  return endpoint;
}

/** Forgets what was discovered (tests; a process that knows its issuer moved). */
export function forgetDiscoveredEndpoints(): void {
  discovered.clear();
}

async function discover(issuer: string, context: GrantContext): Promise<string> {
  const answers: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    const where = describeRequest("GET", url);
    let status: number;
    let text: string | undefined;
    try {
      ({ status, text } = await withAttemptTimeout(
        context.timeoutMs,
        context.signal,
        async (signal) => {
          const response = await context.fetch(url, {
            headers: { accept: "application/json" },
            redirect: "manual",
            signal,
          });
          if (!response.ok) {
            await response.body?.cancel().catch(() => {});
            return { status: response.status, text: undefined };
          }
          return {
            status: response.status,
            text: await readTextWithin(response, MAX_DISCOVERY_BYTES),
          };
        },
      ));
    } catch (error) {
      const failure = describeFetchFailure(error, context.signal, context.timeoutMs);
      throw new AuthNetworkError(`OAuth discovery failed: ${failure.reason} (${where})`, {
        cause: redactedCause(error, []),
        reason: failure.kind,
        request: where,
      });
    }
    let metadata: unknown;
    try {
      metadata = text === undefined ? undefined : JSON.parse(text);
    } catch {
      metadata = undefined;
    }
    const endpoint = tokenEndpointOf(issuer, metadata);
    if (endpoint !== undefined) return endpoint;
    answers.push(`HTTP ${status} at ${where.slice("GET ".length)}`);
  }
  throw new AuthSessionError(
    `OAuth discovery found no token endpoint for the issuer ${issuer} (${answers.join(", ")}): a document must be the issuer's own (its "issuer" equal to AUTH_ISSUER) and name an https token_endpoint`,
    { request: describeRequest("GET", issuer) },
  );
}
