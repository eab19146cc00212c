/** The cache key shared with the Python port: it names the cache file, the lock and Redis keys. */
import { cacheKeyFromDigest, cacheKeyText, clientCredentialsKeyText } from "../cache/cache-file.ts";
import type { EnvConfig } from "../config/config.ts";
import { configuredTokenEndpoint } from "../grants/token-endpoint.ts";
import type { Platform } from "../platform/platform.ts";

/** First 32 hex characters of SHA-256 over UTF-8 `authBase + "\n" + clientKey`. */
export function cacheKeyFor(platform: Platform, authBase: string, clientKey: string): string {
  return cacheKeyFromDigest(platform.sha256Hex(cacheKeyText(authBase, clientKey)));
}

/**
 * The cache key of `config`, by its grant: the session grant's as {@link cacheKeyFor}; the
 * client_credentials grant's over `tokenEndpoint \n clientId \n clientKey \n scope \n audience \n
 * resource` (cache.ts `clientCredentialsKeyText`). `tokenEndpoint`: the configured one, else the
 * one discovered from the issuer, which the caller passes (it is known only once discovered);
 * without it, the issuer URL stands in its place, so a key is known before any request (still
 * one key per issuer, client, secret and parameters).
 * @example
 * const key = cacheKeyForConfig(platform, config); // "3f2a…" (32 hex)
 */
export function cacheKeyForConfig(
  platform: Platform,
  config: EnvConfig,
  discoveredTokenEndpoint?: string,
): string {
  if (config.grant !== "client_credentials") {
    return cacheKeyFor(platform, config.authBase, config.clientKey);
  }
  const tokenEndpoint =
    configuredTokenEndpoint(config) ?? discoveredTokenEndpoint ?? config.issuer ?? "";
  const text = clientCredentialsKeyText({
    tokenEndpoint,
    clientId: config.clientId ?? "",
    clientKey: config.clientKey,
    scope: config.scope,
    audience: config.audience,
    resource: config.resource,
  });
  return cacheKeyFromDigest(platform.sha256Hex(text));
}
