import { describe, expect, test } from "bun:test";
import { signJwt, verifyJwt } from "../src/jwt.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const secret = crypto.getRandomValues(new Uint8Array(32));

describe("HS256 JWT", () => {
  test("verifies what it signed and returns the claims", () => {
    const claims = { sub: "abc", exp: 1_900_000_000.5, jti: "j-1" };
    expect(verifyJwt(signJwt(claims, secret), secret)).toEqual(claims);
  });

  test("refuses a token signed with another secret", () => {
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect(verifyJwt(signJwt({ sub: "abc" }, other), secret)).toBeNull();
  });

  test("refuses every change of the signature's last character, padding bits included", () => {
    const token = signJwt({ sub: "abc" }, secret);
    const last = token.at(-1);
    const lenientlyEqual = [...ALPHABET].filter((c) => {
      const bytes = Buffer.from(`${token.slice(0, -1)}${c}`.split(".")[2] ?? "", "base64url");
      return c !== last && bytes.equals(Buffer.from(token.split(".")[2] ?? "", "base64url"));
    });
    // The premise: some other characters decode to the very same signature bytes.
    expect(lenientlyEqual.length).toBeGreaterThan(0);
    for (const c of ALPHABET) {
      if (c === last) continue;
      expect(verifyJwt(`${token.slice(0, -1)}${c}`, secret)).toBeNull();
    }
  });

  test("refuses a token whose header names another algorithm", () => {
    const token = signJwt({ sub: "abc" }, secret);
    const [, payload, signature] = token.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "HS512", typ: "JWT" })).toString("base64url");
    expect(verifyJwt(`${header}.${payload}.${signature}`, secret)).toBeNull();
  });

  test("refuses a validly signed payload that is not a JSON object", () => {
    const arrayToken = signJwt([] as unknown as Record<string, unknown>, secret);
    expect(verifyJwt(arrayToken, secret)).toBeNull();
  });
});
