/**
 * private_key_jwt's client assertion as a token endpoint on 127.0.0.1 receives it: its JOSE
 * header, its times (now, and a minute later: servers refuse an assertion from the future or one
 * that lives long), its signature; and a key no assertion can be signed with, refused before
 * anything is sent.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { signClientAssertion } from "../../src/grants/client-assertion.ts";
import { requestAccessToken } from "../../src/grants/token-request.ts";
import { ConfigError, createConfig, DEFAULT_RETRY_POLICY } from "../fixtures/internal-api.ts";
import { clientKeyPair } from "./oidc-provider.ts";
import { jsonAnswer, type RecordingServer, recordingServer } from "./recording-server.ts";

let endpoint: RecordingServer | undefined;
afterEach(() => endpoint?.stop());

function ask(base: string, pem: string, options: { issuer?: string } = {}) {
  return requestAccessToken({
    config: createConfig({
      authBase: base,
      clientKey: pem,
      grant: "client_credentials",
      clientId: "svc-jwt",
      clientAuth: "private_key_jwt",
      ...(options.issuer ? { issuer: options.issuer } : { tokenUrl: "/oauth/token" }),
    }),
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 },
    fetch: (input, init) => fetch(input, init),
    signal: new AbortController().signal,
  });
}

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString());

describe("the assertion the token endpoint receives", () => {
  for (const [type, alg] of [
    ["rsa", "RS256"],
    ["ec", "ES256"],
  ] as const) {
    test(`${type}: header {alg: ${alg}, typ: JWT}; iat is now in seconds, exp a minute later; the signature verifies`, async () => {
      const pair = clientKeyPair(type);
      endpoint = recordingServer(() =>
        jsonAnswer(200, { access_token: "tok-jwt", token_type: "Bearer", expires_in: 60 }),
      );
      const before = Math.floor(Date.now() / 1000);
      await ask(endpoint.url, pair.pem);
      const after = Date.now() / 1000;
      const assertion = new URLSearchParams(endpoint.seen[0]?.body).get("client_assertion") ?? "";
      const [h = "", p = "", s = ""] = assertion.split(".");
      expect(decode(h)).toEqual({ alg, typ: "JWT" });
      const claims = decode(p);
      expect(Number.isInteger(claims.iat)).toBe(true);
      expect(claims.iat).toBeGreaterThanOrEqual(before);
      expect(claims.iat).toBeLessThanOrEqual(after);
      expect(claims.exp).toBe(claims.iat + 60);
      const key = createPublicKey({ key: pair.jwk, format: "jwk" });
      expect(
        verify(
          type === "rsa" ? "RSA-SHA256" : "SHA256",
          Buffer.from(`${h}.${p}`),
          type === "ec" ? { key, dsaEncoding: "ieee-p1363" } : key,
          Buffer.from(s, "base64url"),
        ),
      ).toBe(true);
    });
  }

  test("a time given is used, in whole seconds", async () => {
    const { pem } = clientKeyPair("ec");
    const assertion = await signClientAssertion({
      clientId: "svc-jwt",
      privateKeyPem: pem,
      audience: "https://idp.example/token",
      nowSec: 1_800_000_000.7,
    });
    const claims = decode(assertion.split(".")[1] ?? "");
    expect(claims).toMatchObject({ iat: 1_800_000_000, exp: 1_800_000_060 });
  });
});

describe("a key no assertion can be signed with", () => {
  const unusable: [string, string][] = [
    [
      "a P-384 EC key",
      generateKeyPairSync("ec", { namedCurve: "P-384" })
        .privateKey.export({ format: "pem", type: "pkcs8" })
        .toString(),
    ],
    [
      "an Ed25519 key",
      generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    ],
    ["a PEM whose body is no key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"],
  ];
  for (const [name, pem] of unusable) {
    test(`${name}: a ConfigError saying what AUTH_CLIENT_AUTH needs, nothing sent, not even discovery`, async () => {
      endpoint = recordingServer(() => jsonAnswer(500, {}));
      for (const options of [{}, { issuer: endpoint.url }]) {
        const error = (await ask(endpoint.url, pem, options).catch(
          (e: unknown) => e,
        )) as ConfigError;
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.code).toBe("CONFIG_ERROR");
        expect(error.message).toBe(
          "CLIENT_KEY is not a PKCS#8 RSA or P-256 EC private key, so no client assertion can be signed (AUTH_CLIENT_AUTH=private_key_jwt needs one)",
        );
      }
      expect(endpoint.seen).toEqual([]);
    });
  }
});
