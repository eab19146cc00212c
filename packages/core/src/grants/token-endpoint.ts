/**
 * The token endpoint `AUTH_TOKEN_URL` names, in a module of its own: the cache key and messages
 * need it for every config, the client_credentials grant's modules (signing, discovery) only
 * when that grant asks for a token, so they are loaded then.
 */
import type { EnvConfig } from "../config/config.ts";

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
