/**
 * An OAuth 2.0 authorization server for client_credentials (RFC 6749 §4.4), so the runtime's
 * OAuth grant can be tried offline: RFC 8414 and OpenID discovery documents naming the token
 * endpoint, client_secret_basic and client_secret_post authentication. The client is
 * `oauthClientId`; its secrets are the gateway's client keys, and the tokens it issues are the
 * gateway's own, accepted by its API routes.
 */

import type { GatewayContext } from "./context.ts";
import { json, methodNotAllowed } from "./http.ts";
import { subjectFor } from "./tokens.ts";

/** Where the token endpoint and the two discovery documents are served. */
export const OAUTH_TOKEN_PATH = "/oauth/token";
export const DISCOVERY_PATHS: readonly string[] = [
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
];

/** RFC 8414 metadata: the issuer is the gateway's origin as the client reached it. */
export function discoveryDocument(request: Request, url: URL): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return methodNotAllowed(request, ["GET", "HEAD"]);
  }
  return json(200, {
    issuer: url.origin,
    token_endpoint: `${url.origin}${OAUTH_TOKEN_PATH}`,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    response_types_supported: [],
  });
}

/** An RFC 6749 §5.2 error answer. */
function oauthError(status: number, error: string, description: string, basic = false) {
  return json(
    status,
    { error, error_description: description },
    {
      "cache-control": "no-store",
      ...(basic && { "www-authenticate": 'Basic realm="dev-gateway"' }),
    },
  );
}

/**
 * `client_secret_basic` credentials: RFC 6749 §2.3.1 form-encodes id and secret before base64,
 * so each half is decoded after splitting at the first ":". undefined when malformed.
 */
function basicCredentials(header: string): [string, string] | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const formDecode = (part: string) => decodeURIComponent(part.replaceAll("+", " "));
  try {
    return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

/** `POST /oauth/token`: a token for the client whose credentials check out. */
export async function issueOAuthToken(
  request: Request,
  context: GatewayContext,
): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed(request, ["POST"]);
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  }
  const form = new URLSearchParams(await request.text());
  if (form.get("grant_type") !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", "only client_credentials is served here");
  }
  const header = request.headers.get("authorization");
  const inForm = form.has("client_id") || form.has("client_secret");
  // §2.3: a client uses one authentication method per request.
  if (header !== null && inForm) {
    return oauthError(400, "invalid_request", "more than one client authentication method");
  }
  const credentials =
    header !== null
      ? basicCredentials(header)
      : inForm
        ? ([form.get("client_id") ?? "", form.get("client_secret") ?? ""] as [string, string])
        : undefined;
  const { oauthClientId, clientKeys, ttlSec } = context.options;
  // The secret is compared and hashed, never written back: not in errors, bodies or logs.
  if (
    credentials === undefined ||
    credentials[0] !== oauthClientId ||
    !clientKeys.has(credentials[1])
  ) {
    return oauthError(401, "invalid_client", "client authentication failed", header !== null);
  }
  const accessToken = context.authority.issue(ttlSec, subjectFor(credentials[1]));
  context.stats.tokenIssued();
  const scope = form.get("scope");
  return json(
    200,
    {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: ttlSec,
      ...(scope !== null && { scope }),
    },
    { "cache-control": "no-store" },
  );
}
