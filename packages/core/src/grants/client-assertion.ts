/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed
 * with the client's PKCS#8 private key through WebCrypto (`crypto.subtle`, on Bun and Node 20).
 */
import { ConfigError } from "../errors/errors.ts";

/** RFC 7523's `client_assertion_type`. */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** An assertion lives this long: servers refuse long-lived ones (many cap `exp` at 5 minutes). */
const ASSERTION_LIFETIME_SEC = 60;

/** The PEM as WebCrypto's key import needs it: DER bytes, `\n` written literally allowed. */
function pemBody(pem: string): string {
  return pem
    .replaceAll("\\n", "\n")
    .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "")
    .replace(/\s+/g, "");
}

function derOf(pem: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(pemBody(pem)), (c) => c.charCodeAt(0));
}

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const encodeJson = (value: unknown): string =>
  base64Url(new TextEncoder().encode(JSON.stringify(value)));

interface SigningKey {
  readonly alg: "RS256" | "ES256";
  readonly key: CryptoKey;
}

/** Imported keys by PEM: importing is a few hundred microseconds, and a process keeps one key. */
const keys = new Map<string, Promise<SigningKey>>();

/**
 * The key of `pem` and its algorithm: RS256 for an RSA key, ES256 for a P-256 EC key. The type
 * is found by trying the imports (a PKCS#8 key names its algorithm inside its DER; WebCrypto
 * reads it and refuses the wrong one), so no ASN.1 is parsed here.
 */
function signingKey(pem: string): Promise<SigningKey> {
  let key = keys.get(pem);
  if (!key) {
    key = importSigningKey(pem);
    // A bad key must not stay cached as a rejected promise shared by later calls.
    key.catch(() => keys.delete(pem));
    if (keys.size > 8) keys.clear();
    keys.set(pem, key);
  }
  return key;
}

async function importSigningKey(pem: string): Promise<SigningKey> {
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = derOf(pem);
  } catch {
    throw unusableKey();
  }
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return { alg: "RS256", key };
  } catch {
    // Not RSA: EC below.
  }
  try {
    const key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    return { alg: "ES256", key };
  } catch {
    throw unusableKey();
  }
}

/**
 * The error of a key no assertion can be signed with (P-384, Ed25519, DSA, not a key at all): a
 * setting to change, so a {@link ConfigError}, never retried. The key's bytes stay out of the
 * message and no cause is kept: WebCrypto's errors may quote what they were given.
 */
const unusableKey = () =>
  new ConfigError(
    "CLIENT_KEY is not a PKCS#8 RSA or P-256 EC private key, so no client assertion can be signed (AUTH_CLIENT_AUTH=private_key_jwt needs one)",
  );

/**
 * Resolves once `pem` is a key an assertion can be signed with (imported and kept for the
 * signing), else rejects with a {@link ConfigError}: checked before any request is sent.
 * @example
 * await checkSigningKey(config.clientKey); // before the first token request
 */
export async function checkSigningKey(pem: string): Promise<void> {
  await signingKey(pem);
}

/**
 * A fresh client assertion: iss = sub = `clientId`, aud = the token endpoint, a random `jti`,
 * `iat` now and `exp` a minute later, signed RS256 or ES256 by the key's type. A new one per
 * attempt: servers may refuse a `jti` they saw.
 * @example
 * const assertion = await signClientAssertion({ clientId: "svc", privateKeyPem, audience: tokenUrl });
 */
export async function signClientAssertion(options: {
  readonly clientId: string;
  readonly privateKeyPem: string;
  readonly audience: string;
  readonly nowSec?: number;
}): Promise<string> {
  const { alg, key } = await signingKey(options.privateKeyPem);
  const iat = Math.floor(options.nowSec ?? Date.now() / 1000);
  const header = encodeJson({ alg, typ: "JWT" });
  const payload = encodeJson({
    iss: options.clientId,
    sub: options.clientId,
    aud: options.audience,
    jti: crypto.randomUUID(),
    iat,
    exp: iat + ASSERTION_LIFETIME_SEC,
  });
  const input = `${header}.${payload}`;
  const algorithm =
    alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
  // ECDSA in WebCrypto already gives the raw r||s form JWS wants (RFC 7518 §3.4).
  const signature = await crypto.subtle.sign(algorithm, key, new TextEncoder().encode(input));
  return `${input}.${base64Url(new Uint8Array(signature))}`;
}
