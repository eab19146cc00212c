/**
 * panva's oidc-provider on 127.0.0.1, run under Node by the OAuth tests. Clients come as JSON in
 * OIDC_CLIENTS; client_credentials and resource indicators are enabled (a resource gets a JWT
 * access token). Besides the provider's routes: `GET /api/protected` accepts only a valid JWT
 * access token of this provider (signature, issuer, audience, expiry checked), `GET /__stats`
 * counts token requests, and TOKEN_LATENCY_MS delays every token response.
 * Prints `{"issuer": "..."}` once listening.
 */
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const clients = JSON.parse(process.env.OIDC_CLIENTS ?? "[]");
const latencyMs = Number(process.env.TOKEN_LATENCY_MS ?? "0");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: "jwk" }),
  kid: "test-signing",
  alg: "RS256",
  use: "sig",
};
const publicKey = createPublicKey(privateKey);

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, resource) => ({
        scope: "api:read",
        audience: resource,
        accessTokenFormat: "jwt",
        accessTokenTTL: 300,
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
  scopes: ["api:read", "api:write"],
});

let tokenRequests = 0;
const callback = provider.callback();

function verifyJwt(token) {
  const [header, payload, signature] = token.split(".");
  if (!signature) return undefined;
  const ok = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!ok) return undefined;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  if (claims.iss !== issuer || claims.exp * 1000 < Date.now()) return undefined;
  return claims;
}

server.on("request", (req, res) => {
  if (req.url === "/__stats") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ tokenRequests }));
    return;
  }
  if (req.url === "/api/protected") {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const claims = match ? verifyJwt(match[1]) : undefined;
    const audience = process.env.PROTECTED_AUDIENCE;
    const audiences = claims ? [claims.aud].flat() : [];
    res.setHeader("content-type", "application/json");
    if (!claims || (audience && !audiences.includes(audience))) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "invalid_token" }));
      return;
    }
    res.end(
      JSON.stringify({
        ok: true,
        client_id: claims.client_id,
        aud: claims.aud,
        scope: claims.scope,
      }),
    );
    return;
  }
  if (req.method === "POST" && req.url === "/token") {
    tokenRequests++;
    if (latencyMs > 0) {
      setTimeout(() => callback(req, res), latencyMs);
      return;
    }
  }
  callback(req, res);
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
