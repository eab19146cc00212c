/** The two documents the runtime reads: token responses (every variant) and cache files. */
import { describe, expect, test } from "bun:test";
import {
  CacheFileSchema,
  DEFAULT_TOKEN_TTL_SEC,
  jwtExpiry,
  parseCacheFile,
  toCacheFile,
  tokenFromResponse,
} from "../src/schemas.ts";

const NOW = 1_800_000_000;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwt = (claims: unknown) => `${b64url({ alg: "HS256" })}.${b64url(claims)}.sig`;

describe("tokenFromResponse", () => {
  test.each([
    ["camelCase", { accessToken: "t", expiresIn: 120 }, 120],
    ["snake_case", { access_token: "t", expires_in: 300 }, 300],
    ["numeric string lifetime", { accessToken: "t", expiresIn: " 60 " }, 60],
    ["data wrapper", { code: 0, data: { accessToken: "t", expiresIn: 240 } }, 240],
    ["snake_case data wrapper", { code: 0, data: { access_token: "t", expires_in: 180 } }, 180],
    ["top-level lifetime, wrapped token", { expiresIn: 90, data: { accessToken: "t" } }, 90],
  ])("%s", (_name, body, expiresIn) => {
    expect(tokenFromResponse(body, NOW)).toEqual({
      accessToken: "t",
      expiresIn,
      expiresAt: NOW + expiresIn,
    });
  });

  test("expiresAt / expires_at are epoch seconds", () => {
    expect(tokenFromResponse({ accessToken: "t", expiresAt: NOW + 500 }, NOW)).toEqual({
      accessToken: "t",
      expiresAt: NOW + 500,
      expiresIn: 500,
    });
    expect(tokenFromResponse({ access_token: "t", expires_at: NOW + 700.5 }, NOW)?.expiresAt).toBe(
      NOW + 700.5,
    );
  });

  test("the JWT exp claim when the body says nothing about the lifetime", () => {
    const token = jwt({ exp: NOW + 650 });
    expect(tokenFromResponse({ accessToken: token }, NOW)).toEqual({
      accessToken: token,
      expiresAt: NOW + 650,
      expiresIn: 650,
    });
  });

  test("900 s when nothing says how long", () => {
    expect(tokenFromResponse({ accessToken: "opaque" }, NOW)).toEqual({
      accessToken: "opaque",
      expiresIn: DEFAULT_TOKEN_TTL_SEC,
      expiresAt: NOW + 900,
    });
    expect(DEFAULT_TOKEN_TTL_SEC).toBe(900);
  });

  test("a zero, negative or non-numeric expiresIn falls through to the next source", () => {
    expect(tokenFromResponse({ accessToken: "t", expiresIn: 0 }, NOW)?.expiresIn).toBe(900);
    expect(
      tokenFromResponse({ accessToken: "t", expiresIn: -5, expiresAt: NOW + 30 }, NOW),
    ).toEqual({ accessToken: "t", expiresIn: 30, expiresAt: NOW + 30 });
    expect(tokenFromResponse({ accessToken: "t", expiresIn: "soon" }, NOW)?.expiresIn).toBe(900);
  });

  test("the token is trimmed; no token, an empty one or a non-string is no token", () => {
    expect(tokenFromResponse({ accessToken: "  t  " }, NOW)?.accessToken).toBe("t");
    for (const body of [
      {},
      { accessToken: "" },
      { accessToken: "   " },
      { accessToken: 42 },
      { data: null },
      { data: "x" },
      null,
      "token",
      [{ accessToken: "t" }],
    ]) {
      expect(tokenFromResponse(body, NOW)).toBeUndefined();
    }
  });
});

describe("jwtExpiry", () => {
  test("reads a numeric exp, ignores anything else", () => {
    expect(jwtExpiry(jwt({ exp: 1234.5 }))).toBe(1234.5);
    expect(jwtExpiry(jwt({ exp: "1234" }))).toBeUndefined();
    expect(jwtExpiry(jwt({}))).toBeUndefined();
    expect(jwtExpiry("opaque-token")).toBeUndefined();
    expect(jwtExpiry("a.!!!not-base64!!!.c")).toBeUndefined();
  });
});

describe("cache file", () => {
  test("round-trips the documented fields", () => {
    const token = { accessToken: "t", expiresAt: NOW + 0.123, expiresIn: 900 };
    const file = toCacheFile(token);
    expect(file).toEqual({ access_token: "t", expires_at: NOW + 0.123, expires_in: 900 });
    expect(parseCacheFile(JSON.stringify(file))).toEqual(token);
  });

  test("expires_in is optional; extra fields are ignored", () => {
    expect(parseCacheFile(JSON.stringify({ access_token: "t", expires_at: NOW, x: 1 }))).toEqual({
      accessToken: "t",
      expiresAt: NOW,
      expiresIn: 0,
    });
  });

  test.each([
    ["empty", ""],
    ["truncated", '{"access_token":"t","expires_at":1'],
    ["not JSON", "hello"],
    ["null", "null"],
    ["an array", "[]"],
    ["wrong types", '{"access_token":1,"expires_at":"x"}'],
    ["empty token", '{"access_token":"","expires_at":1}'],
    ["no expiry", '{"access_token":"t"}'],
  ])("%s is not a cache file", (_name, text) => {
    expect(parseCacheFile(text)).toBeUndefined();
  });

  test("the schema rejects non-finite numbers", () => {
    expect(CacheFileSchema.safeParse({ access_token: "t", expires_at: Infinity }).success).toBe(
      false,
    );
  });
});
