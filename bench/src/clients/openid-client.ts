/**
 * A storm client with openid-client, as its users run it: each process discovers the
 * authorization server (RFC 8414) and asks for its own token with `clientCredentialsGrant`
 * (openid-client keeps no token cache). Config from env: AUTH_ISSUER, AUTH_CLIENT_ID, CLIENT_KEY.
 */
import * as client from "openid-client";
import { report, waitForGo } from "./barrier.ts";

const issuer = new URL(process.env.AUTH_ISSUER ?? "");
const clientId = process.env.AUTH_CLIENT_ID ?? "";
const secret = process.env.CLIENT_KEY ?? "";
await waitForGo();
try {
  const config = await client.discovery(
    issuer,
    clientId,
    secret,
    client.ClientSecretPost(secret),
    // Loopback over http, and an RFC 8414 document (the default looks for OpenID's).
    { execute: [client.allowInsecureRequests], algorithm: "oauth2" },
  );
  const tokens = await client.clientCredentialsGrant(config);
  report({ ok: tokens.access_token.length > 0, source: "network" });
} catch (error) {
  report({ ok: false, error: (error as Error).name });
}
