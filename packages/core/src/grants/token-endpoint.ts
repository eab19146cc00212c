/**
 * The token endpoint `AUTH_TOKEN_URL` names, in a module of its own: the cache key and messages
 * need it for every config, the token request's modules (either grant, signing, discovery) only
 * when a token is asked of the gateway, so they are loaded then.
 */
import type { EnvConfig } from "../config/config.ts";
import { describeRequest } from "../http/describe-request.ts";

/**
 * The token endpoint `AUTH_TOKEN_URL` names: an absolute URL as it is, a path appended to
 * `authBase` (as `AUTH_SESSION_PATH` is); undefined when it is to be discovered.
 */
export function configuredTokenEndpoint(
  config: Pick<EnvConfig, "authBase" | "tokenUrl">,
): string | undefined {
  const { tokenUrl } = config;
  if (tokenUrl === undefined) return undefined;
  return tokenUrl.startsWith("/") ? `${config.authBase}${tokenUrl}` : tokenUrl;
}

/**
 * `POST <token URL>`, the `request` of every error of the token request (and of a wait for
 * one). A token endpoint still to be discovered is named by its issuer.
 */
export function describeTokenRequest(
  config: Pick<EnvConfig, "authBase" | "sessionPath"> &
    Partial<Pick<EnvConfig, "grant" | "tokenUrl" | "issuer">>,
): string {
  if (config.grant === "client_credentials") {
    const endpoint = configuredTokenEndpoint({
      authBase: config.authBase,
      tokenUrl: config.tokenUrl,
    });
    if (endpoint !== undefined) return describeRequest("POST", endpoint);
    return `POST <token endpoint of ${describeRequest("", config.issuer ?? "").trim()}>`;
  }
  return describeRequest("POST", `${config.authBase}${config.sessionPath}`);
}
