/** Starts panva's oidc-provider (provider.mjs) under Node on 127.0.0.1 for the OAuth tests. */
import { generateKeyPairSync, type JsonWebKey } from "node:crypto";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./provider.mjs", import.meta.url));
const CORE = fileURLToPath(new URL("../..", import.meta.url));

export interface OidcClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: "client_secret_basic" | "client_secret_post" | "private_key_jwt";
  jwks?: { keys: JsonWebKey[] };
}

export interface RunningProvider {
  readonly issuer: string;
  /** Token requests the provider answered (counted before its latency). */
  tokenRequests(): Promise<number>;
  stop(): Promise<void>;
}

/** A key pair for private_key_jwt: the PKCS#8 PEM the client holds, the public JWK the provider knows. */
export function clientKeyPair(type: "rsa" | "ec"): { pem: string; jwk: JsonWebKey } {
  const { privateKey, publicKey } =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    pem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    jwk: publicKey.export({ format: "jwk" }),
  };
}

/** Starts the provider with `clients` (each may use client_credentials with scope api:read). */
export async function startProvider(
  clients: readonly OidcClient[],
  env: Record<string, string> = {},
): Promise<RunningProvider> {
  const full = clients.map((client) => ({
    grant_types: ["client_credentials"],
    response_types: [],
    redirect_uris: [],
    scope: "api:read api:write",
    ...client,
  }));
  const child = Bun.spawn(["node", SCRIPT], {
    cwd: CORE,
    env: { ...process.env, ...env, OIDC_CLIENTS: JSON.stringify(full) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done)
      throw new Error(`oidc-provider did not start: ${await new Response(child.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { issuer } = JSON.parse(text.split("\n")[0] as string) as { issuer: string };
  return {
    issuer,
    async tokenRequests() {
      const stats = (await (await fetch(`${issuer}/__stats`)).json()) as { tokenRequests: number };
      return stats.tokenRequests;
    },
    async stop() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** The claims of a JWT, unverified (the provider's protected route verifies). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
}
