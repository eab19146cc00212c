/**
 * The process storm on a client_credentials config: a small scripted OAuth 2.0 token endpoint
 * (RFC 6749 §4.4, `client_secret_post`) on loopback answers after a latency, as a remote
 * authorization server does, and counts the token requests it receives. Its RFC 8414 discovery
 * document answers at once (only openid-client's processes read it). The runtime's processes,
 * and beside them openid-client's `clientCredentialsGrant` in each process, as its users run it.
 */
import type { StormResult } from "./storms.ts";
import { spawnStorm } from "./storms.ts";

export interface OAuthStormOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly processes: number;
  /** How long the token endpoint takes to answer. */
  readonly latencyMs: number;
  /** Makes a new, empty cache dir (removed by the caller). */
  readonly newCacheDir: () => string;
}

const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

/**
 * `processes` runtime processes cold on one cache dir and one client_credentials config,
 * released together: the token requests the endpoint received (single flight: 1). With
 * `client: "openid-client.ts"`, the same storm of openid-client processes.
 */
export async function oauthProcessStorm(
  options: OAuthStormOptions,
  client: "storm-client.ts" | "openid-client.ts" = "storm-client.ts",
): Promise<StormResult> {
  let tokenRequests = 0;
  let issued = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === DISCOVERY_PATH && request.method === "GET") {
        return Response.json({
          issuer: url.origin,
          token_endpoint: `${url.origin}/oauth/token`,
          grant_types_supported: ["client_credentials"],
          token_endpoint_auth_methods_supported: ["client_secret_post"],
        });
      }
      if (url.pathname !== "/oauth/token" || request.method !== "POST") {
        return new Response("not found", { status: 404 });
      }
      tokenRequests += 1;
      const form = new URLSearchParams(await request.text());
      await Bun.sleep(options.latencyMs);
      if (
        form.get("grant_type") !== "client_credentials" ||
        form.get("client_id") !== options.clientId ||
        form.get("client_secret") !== options.clientSecret
      ) {
        return Response.json({ error: "invalid_client" }, { status: 401 });
      }
      issued += 1;
      return Response.json({
        access_token: `bench-oauth-token-${issued}`,
        token_type: "Bearer",
        expires_in: 3600,
      });
    },
  });
  try {
    const cacheDir = options.newCacheDir();
    const run = await spawnStorm(client, options.processes, cacheDir, {
      // openid-client's processes discover the token endpoint from the issuer; ours are told it.
      ...(client === "openid-client.ts" && { AUTH_ISSUER: `http://127.0.0.1:${server.port}` }),
      AUTH_BASE: `http://127.0.0.1:${server.port}`,
      AUTH_CACHE_DIR: cacheDir,
      AUTH_GRANT: "client_credentials",
      AUTH_TOKEN_URL: "/oauth/token",
      AUTH_CLIENT_ID: options.clientId,
      AUTH_CLIENT_AUTH: "client_secret_post",
      CLIENT_KEY: options.clientSecret,
    });
    return { tokenRequests, ...run };
  } finally {
    await server.stop(true);
  }
}
