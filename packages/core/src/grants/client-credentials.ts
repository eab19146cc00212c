/**
 * OAuth 2.0 client_credentials (RFC 6749 §4.4): a form `POST` to the token endpoint, the client
 * authenticated by `client_secret_basic`, `client_secret_post` or `private_key_jwt` (RFC 7523).
 */
import type { EnvConfig } from "../config/config.ts";
import { CLIENT_ASSERTION_TYPE, checkSigningKey, signClientAssertion } from "./client-assertion.ts";
import { discoverTokenEndpoint } from "./discovery.ts";
import type { TokenGrant } from "./grant.ts";
import { configuredTokenEndpoint } from "./token-endpoint.ts";

export type ClientCredentialsConfig = Pick<
  EnvConfig,
  | "authBase"
  | "clientKey"
  | "tokenUrl"
  | "issuer"
  | "clientId"
  | "clientAuth"
  | "scope"
  | "audience"
  | "resource"
>;

/** RFC 6749 §2.3.1 / Appendix B: `application/x-www-form-urlencoded` of one value. */
export const formEncode = (value: string): string =>
  new URLSearchParams({ v: value }).toString().slice(2);

/**
 * `Basic base64(form(clientId) ":" form(secret))`: the form-encoding comes first (§2.3.1), so a
 * `:` in the id or a `+` in the secret survives. Base64 of the UTF-8 bytes (the encoded text
 * is ASCII anyway).
 */
export function basicCredentials(clientId: string, secret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(secret)}`)}`;
}

const MALFORMED = "the access_token is not 1..16384 visible ASCII characters without spaces";
const NOT_BEARER = "the token_type is not Bearer";

/** The client_credentials grant of `config` (`config.grant === "client_credentials"`). */
export function clientCredentialsGrant(config: ClientCredentialsConfig): TokenGrant {
  const clientId = config.clientId ?? "";
  const secret = config.clientKey;
  const configured = configuredTokenEndpoint(config);
  const secrets = [secret];
  if (config.clientAuth === "client_secret_basic") {
    // The header's whole value: redaction finds the secret's base64 inside it too, this is belt and braces.
    secrets.push(basicCredentials(clientId, secret).slice("Basic ".length));
  }
  // A PEM key (private_key_jwt's) is redacted in every layout by redactSecrets itself: its
  // base64 body, a line of it, other line ends.
  return {
    what: "OAuth token request",
    carries: "the client credentials were",
    secrets,
    async endpoint(context) {
      // A key no assertion can be signed with is a setting to change: said before anything
      // is sent (discovery included), and never retried as if the network had failed.
      if (config.clientAuth === "private_key_jwt") await checkSigningKey(secret);
      if (configured !== undefined) return configured;
      return discoverTokenEndpoint(config.issuer ?? "", context);
    },
    async prepare(endpoint) {
      const form = new URLSearchParams({ grant_type: "client_credentials" });
      if (config.scope !== undefined) form.set("scope", config.scope);
      if (config.audience !== undefined) form.set("audience", config.audience);
      if (config.resource !== undefined) form.set("resource", config.resource);
      const headers: Record<string, string> = {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      };
      if (config.clientAuth === "client_secret_basic") {
        headers.authorization = basicCredentials(clientId, secret);
      } else if (config.clientAuth === "client_secret_post") {
        form.set("client_id", clientId);
        form.set("client_secret", secret);
      } else {
        form.set("client_id", clientId);
        form.set("client_assertion_type", CLIENT_ASSERTION_TYPE);
        form.set(
          "client_assertion",
          await signClientAssertion({ clientId, privateKeyPem: secret, audience: endpoint }),
        );
      }
      return { headers, body: form.toString() };
    },
    async readSuccess(json, nowSec, maxTtlSec) {
      // zod is loaded for the answer, not with the runtime: a warm process never needs it.
      const { readOAuthTokenResponse } = await import("./token-response.ts");
      const result = readOAuthTokenResponse(json, nowSec, maxTtlSec);
      if ("token" in result) return result.token;
      if (result.problem === "malformed") return { problem: MALFORMED };
      if (result.problem === "token-type") return { problem: NOT_BEARER };
      return { problem: "" };
    },
    readFailure: async (json) => (await import("./token-response.ts")).readOAuthError(json),
  };
}
