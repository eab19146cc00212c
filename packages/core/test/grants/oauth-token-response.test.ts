/** RFC 6749 §5.1 and §5.2 bodies, as the client-credentials grant reads them. */
import { describe, expect, test } from "bun:test";
import { readOAuthError, readOAuthTokenResponse } from "../../src/grants/token-response.ts";

const NOW = 1_800_000_000;

describe("readOAuthTokenResponse (§5.1)", () => {
  test("a Bearer token, in any case, with its lifetime", () => {
    for (const tokenType of ["Bearer", "bearer", "BEARER"]) {
      expect(
        readOAuthTokenResponse({ access_token: "t", token_type: tokenType, expires_in: 120 }, NOW),
      ).toEqual({ token: { accessToken: "t", expiresIn: 120, expiresAt: NOW + 120 } });
    }
    expect(
      readOAuthTokenResponse({ access_token: "t", token_type: "Bearer", expires_in: "60" }, NOW),
    ).toEqual({ token: { accessToken: "t", expiresIn: 60, expiresAt: NOW + 60 } });
  });

  test("no token, an empty one or a non-string is missing, whatever the token type", () => {
    for (const body of [
      { token_type: "Bearer", expires_in: 60 },
      { access_token: "", token_type: "Bearer" },
      { access_token: 42, token_type: "Bearer" },
      { access_token: "", token_type: "mac" },
      {},
      null,
      "access_token=t",
      ["t"],
    ]) {
      expect(readOAuthTokenResponse(body, NOW)).toEqual({ problem: "missing" });
    }
  });

  test("a token type other than Bearer, or none, is refused as such", () => {
    for (const tokenType of [undefined, "DPoP", "mac", "", 1, "Bearer "]) {
      expect(readOAuthTokenResponse({ access_token: "t", token_type: tokenType }, NOW)).toEqual({
        problem: "token-type",
      });
    }
  });

  test("only §5.1's names count: a camelCase token or a data wrapper is not one", () => {
    expect(
      readOAuthTokenResponse({ accessToken: "t", token_type: "Bearer", expires_in: 60 }, NOW),
    ).toEqual({ problem: "missing" });
    expect(
      readOAuthTokenResponse(
        { access_token: "t", token_type: "Bearer", data: { expires_in: 60 }, expiresIn: 30 },
        NOW,
      ),
    ).toEqual({ token: { accessToken: "t", expiresIn: 900, expiresAt: NOW + 900 } });
  });

  test("a token that breaks the access token pattern is malformed; the lifetime is capped", () => {
    expect(readOAuthTokenResponse({ access_token: "a b", token_type: "Bearer" }, NOW)).toEqual({
      problem: "malformed",
    });
    expect(
      readOAuthTokenResponse(
        { access_token: "t", token_type: "Bearer", expires_in: 9999 },
        NOW,
        600,
      ),
    ).toEqual({ token: { accessToken: "t", expiresIn: 600, expiresAt: NOW + 600 } });
  });
});

describe("readOAuthError (§5.2)", () => {
  test("the error code, and the description when it is a string", () => {
    expect(
      readOAuthError({
        error: "invalid_client",
        error_description: "Client authentication failed",
      }),
    ).toEqual({ error: "invalid_client", description: "Client authentication failed" });
    expect(readOAuthError({ error: "invalid_grant", error_description: 7 })).toEqual({
      error: "invalid_grant",
      description: undefined,
    });
    expect(readOAuthError({ error: "x" })).toEqual({ error: "x", description: undefined });
  });

  test("a code of 1 to 128 printable ASCII characters other than quote and backslash", () => {
    expect(readOAuthError({ error: "c".repeat(128) })?.error).toBe("c".repeat(128));
    expect(readOAuthError({ error: " !#[]~" })?.error).toBe(" !#[]~");
    for (const error of [
      "",
      "c".repeat(129),
      'invalid"client',
      '"invalid_client',
      'invalid_client"',
      "invalid\\client",
      "invalid_client\n",
      "\ninvalid_client",
      "invalid_clïent",
    ]) {
      expect(readOAuthError({ error })).toBeUndefined();
    }
  });

  test("a body without a string error is no §5.2 error", () => {
    for (const body of [
      {},
      { error: 400 },
      { message: "invalid_client" },
      null,
      "invalid_client",
    ]) {
      expect(readOAuthError(body)).toBeUndefined();
    }
  });
});
