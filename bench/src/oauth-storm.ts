/**
 * The process storm on a client_credentials config: a small scripted OAuth 2.0 token endpoint
 * (RFC 6749 §4.4, `client_secret_post`) on loopback answers after a latency, as a remote
 * authorization server does, and counts the token requests it receives.
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

/**
 * `processes` runtime processes cold on one cache dir and one client_credentials config,
 * released together: the token requests the endpoint received (single flight: 1).
 */
export async function oauthProcessStorm(options: OAuthStormOptions): Promise<StormResult> {
  let tokenRequests = 0;
  let issued = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname !== "/oauth/token" || request.method !== "POST") {
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
    const run = await spawnStorm("storm-client.ts", options.processes, cacheDir, {
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
