/**
 * The gateway's routes: the token endpoint, OAuth 2.0's token endpoint and discovery, the
 * protected API routes, health, and 404.
 */
import type { GatewayContext } from "./context.ts";
import { json, methodNotAllowed, readJsonObject } from "./http.ts";
import { DISCOVERY_PATHS, discoveryDocument, issueOAuthToken, OAUTH_TOKEN_PATH } from "./oauth.ts";
import { offerIdOf, productFor } from "./product.ts";
import { subjectFor } from "./tokens.ts";

const REDACTED_KEY = "[client key redacted]";
const BEARER = /^Bearer +(\S+)$/i;

/**
 * Answers one request by its path (faults have already been applied by the server).
 *
 * @example
 * const response = await handleRoute(request, new URL(request.url), context);
 */
export function handleRoute(
  request: Request,
  url: URL,
  context: GatewayContext,
): Response | Promise<Response> {
  const path = url.pathname;
  if (path === context.options.sessionPath) {
    return request.method === "POST"
      ? issueSession(request, context)
      : methodNotAllowed(request, ["POST"]);
  }
  if (path === OAUTH_TOKEN_PATH) return issueOAuthToken(request, context);
  if (DISCOVERY_PATHS.includes(path)) return discoveryDocument(request, url);
  if (path === "/health") {
    return request.method === "GET" || request.method === "HEAD"
      ? json(200, { ok: true })
      : methodNotAllowed(request, ["GET", "HEAD"]);
  }
  if (path === "/ecom/tasks/scrape") {
    if (request.method !== "POST") return methodNotAllowed(request, ["POST"]);
    return authorize(request, context) ?? scrape(request);
  }
  if (path === "/echo" || path.startsWith("/echo/")) {
    return authorize(request, context) ?? echo(request, url, context);
  }
  return json(404, { error: "not_found", message: `no route for ${path}` });
}

async function issueSession(request: Request, context: GatewayContext): Promise<Response> {
  const body = await readJsonObject(request);
  const clientKey = body?.clientKey;
  if (typeof clientKey !== "string") return json(400, { error: "invalid_request" });
  // The key is looked up and hashed, never written anywhere: not in errors, bodies or logs.
  if (!context.options.clientKeys.has(clientKey)) return json(401, { error: "invalid_client" });
  const { ttlSec } = context.options;
  const accessToken = context.authority.issue(ttlSec, subjectFor(clientKey));
  context.stats.tokenIssued();
  return json(
    200,
    { accessToken, expiresIn: ttlSec, tokenType: "Bearer" },
    { "cache-control": "no-store" },
  );
}

/** `null` when the request carries a valid token, else the 401/403 to answer with. */
function authorize(request: Request, context: GatewayContext): Response | null {
  const match = BEARER.exec(request.headers.get("authorization") ?? "");
  const verdict = match?.[1] === undefined ? "invalid" : context.authority.verify(match[1]);
  if (verdict === "valid") return null;
  context.stats.authFailure();
  if (verdict === "revoked") {
    return json(403, { error: "forbidden", message: "token revoked" });
  }
  const message = verdict === "expired" ? "token expired" : "invalid token";
  const description = verdict === "expired" ? "The access token expired" : "Invalid access token";
  return json(
    401,
    { error: "unauthorized", message },
    { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` },
  );
}

async function scrape(request: Request): Promise<Response> {
  const body = await readJsonObject(request);
  if (typeof body?.url !== "string") {
    return json(400, { error: "invalid_request", message: 'body must be JSON {"url": string}' });
  }
  const offerId = offerIdOf(body.url);
  if (offerId === null) {
    // The URL itself is not repeated back: callers sometimes put secrets in query strings.
    return json(422, {
      error: "invalid_url",
      message: "url must be a 1688 offer URL: https://detail.1688.com/offer/<digits>.html",
    });
  }
  return json(200, productFor(offerId));
}

async function echo(request: Request, url: URL, context: GatewayContext): Promise<Response> {
  // A client that leaks its key into an API call must not see it come back in clear text; the
  // marker still lets a test detect the leak.
  const redact = (text: string): string => {
    let out = text;
    for (const key of context.options.clientKeys) out = out.replaceAll(key, REDACTED_KEY);
    return out;
  };
  // Null prototypes: a client-chosen name such as "__proto__" must stay a plain key.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    const key = redact(name);
    const previous = query[key];
    const clean = redact(value);
    query[key] =
      previous === undefined
        ? clean
        : Array.isArray(previous)
          ? [...previous, clean]
          : [previous, clean];
  }
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of request.headers) {
    headers[name] = name === "authorization" ? "Bearer [redacted]" : redact(value);
  }
  return json(200, {
    method: request.method,
    path: redact(url.pathname),
    query,
    headers,
    body: redact(await request.text()),
  });
}
