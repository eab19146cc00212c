/** The two documents the runtime reads: token responses (every variant) and cache files. */
import { describe, expect, test } from "bun:test";
import { outlivesMaxTtl, parseCacheFile, toCacheFile } from "../../src/cache/cache-file.ts";
import {
  DEFAULT_TOKEN_TTL_SEC,
  jwtExpiry,
  readTokenResponse,
  tokenFromResponse,
} from "../../src/grants/token-response.ts";

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

  test("a zero or negative expiresIn is a token expired on arrival, whatever else is said", () => {
    expect(tokenFromResponse({ accessToken: "t", expiresIn: 0 }, NOW)).toEqual({
      accessToken: "t",
      expiresIn: 0,
      expiresAt: NOW,
    });
    expect(
      tokenFromResponse({ accessToken: "t", expiresIn: -5, expiresAt: NOW + 30 }, NOW),
    ).toEqual({ accessToken: "t", expiresIn: 0, expiresAt: NOW - 5 });
  });

  test("an expires_at already past is a token expired on arrival", () => {
    expect(tokenFromResponse({ accessToken: "t", expires_at: NOW - 10 }, NOW)).toEqual({
      accessToken: "t",
      expiresIn: 0,
      expiresAt: NOW - 10,
    });
    expect(tokenFromResponse({ accessToken: jwt({ exp: NOW - 1 }) }, NOW)?.expiresAt).toBe(NOW - 1);
  });

  test("a non-numeric expiresIn falls through to the next source", () => {
    expect(tokenFromResponse({ accessToken: "t", expiresIn: "soon" }, NOW)?.expiresIn).toBe(900);
    expect(
      tokenFromResponse({ accessToken: "t", expiresIn: "soon", expiresAt: NOW + 30 }, NOW),
    ).toEqual({ accessToken: "t", expiresIn: 30, expiresAt: NOW + 30 });
  });

  test("the JWT exp is read from a base64url payload that has '-' and '_' in it", () => {
    // "~~~" and "???" encode to "fn5-" and "Pz8_" in base64url ("fn5+" and "Pz8/" in base64).
    const token = jwt({ exp: NOW + 700, n: "~~~???~~~???" });
    const payload = token.split(".")[1] ?? "";
    expect(payload).toContain("-");
    expect(payload).toContain("_");
    expect(jwtExpiry(token)).toBe(NOW + 700);
    expect(tokenFromResponse({ accessToken: token }, NOW)).toEqual({
      accessToken: token,
      expiresIn: 700,
      expiresAt: NOW + 700,
    });
  });

  test("a lifetime in a string is a whole or decimal number and nothing else", () => {
    const lifetime = (expiresIn: string) =>
      tokenFromResponse({ accessToken: "t", expiresIn, expiresAt: NOW + 30 }, NOW)?.expiresIn;
    expect(lifetime("120")).toBe(120);
    expect(lifetime(" 45.25 ")).toBe(45.25);
    expect(lifetime("7.5")).toBe(7.5);
    // Anything else falls through to expiresAt (30 s), however number-like its start or end.
    for (const text of ["120s", "x120", "1.", ".5", "1.5.2", "1.x", "12 34", "-60", "1e3", ""]) {
      expect(lifetime(text)).toBe(30);
    }
  });

  test("an expires_at above 1e11 is epoch milliseconds", () => {
    expect(tokenFromResponse({ accessToken: "t", expires_at: (NOW + 600) * 1000 }, NOW)).toEqual({
      accessToken: "t",
      expiresIn: 600,
      expiresAt: NOW + 600,
    });
    expect(tokenFromResponse({ accessToken: "t", expiresAt: NOW * 1000 - 5000 }, NOW)).toEqual({
      accessToken: "t",
      expiresIn: 0,
      expiresAt: NOW - 5,
    });
  });

  test("an expires_at of exactly 1e11 is still seconds (the year 5138), capped at maxTtlSec", () => {
    expect(tokenFromResponse({ accessToken: "t", expiresAt: 1e11 }, NOW, 600)).toEqual({
      accessToken: "t",
      expiresIn: 600,
      expiresAt: NOW + 600,
    });
  });

  test("every lifetime is capped at maxTtlSec (default 86400 s)", () => {
    const capped = { accessToken: "t", expiresIn: 86_400, expiresAt: NOW + 86_400 };
    expect(tokenFromResponse({ accessToken: "t", expiresIn: 1e12 }, NOW)).toEqual(capped);
    expect(tokenFromResponse({ accessToken: "t", expires_in: "99999999" }, NOW)).toEqual(capped);
    expect(tokenFromResponse({ accessToken: "t", expires_at: 1_893_456_000_000_000 }, NOW)).toEqual(
      capped,
    );
    expect(tokenFromResponse({ accessToken: jwt({ exp: NOW + 1e9 }) }, NOW)?.expiresAt).toBe(
      NOW + 86_400,
    );
    expect(tokenFromResponse({ accessToken: "t", expiresIn: 900 }, NOW, 300)).toEqual({
      accessToken: "t",
      expiresIn: 300,
      expiresAt: NOW + 300,
    });
    expect(tokenFromResponse({ accessToken: "t" }, NOW, 60)?.expiresIn).toBe(60);
  });

  test.each([
    ["a CR/LF", "abc\r\nX-Injected: 1"],
    ["a trailing newline", "abc\n"],
    ["a space", "abc def"],
    ["surrounding spaces", "  t  "],
    ["only spaces", "   "],
    ["a tab", "abc\tdef"],
    ["non-ASCII", "abcé"],
    ["a NUL", "abc\u0000"],
    ["DEL", "abc\u007f"],
    ["16385 characters", "a".repeat(16_385)],
  ])("a token with %s is malformed, never a token", (_name, token) => {
    expect(readTokenResponse({ accessToken: token, expiresIn: 900 }, NOW)).toEqual({
      problem: "malformed",
    });
    expect(tokenFromResponse({ data: { access_token: token } }, NOW)).toBeUndefined();
  });

  test("a token of 1 or 16384 visible ASCII characters is accepted", () => {
    for (const token of ["a", "~".repeat(16_384), "!#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"]) {
      expect(tokenFromResponse({ accessToken: token }, NOW)?.accessToken).toBe(token);
    }
  });

  test("no token, an empty one or a non-string is no token", () => {
    for (const body of [
      {},
      { accessToken: "" },
      { accessToken: 42 },
      { data: null },
      { data: "x" },
      null,
      "token",
      [{ accessToken: "t" }],
    ]) {
      expect(tokenFromResponse(body, NOW)).toBeUndefined();
      expect(readTokenResponse(body, NOW)).toEqual({ problem: "missing" });
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

  test("an exp too large for a number (JSON 1e999 parses to Infinity) is no expiry", () => {
    const payload = Buffer.from('{"exp":1e999}').toString("base64url");
    expect(jwtExpiry(`${b64url({ alg: "HS256" })}.${payload}.sig`)).toBeUndefined();
    // With no usable exp, the token lives the default 900 s rather than forever (capped).
    expect(tokenFromResponse({ accessToken: `h.${payload}.s` }, NOW)?.expiresIn).toBe(
      DEFAULT_TOKEN_TTL_SEC,
    );
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
    ["a token with CR/LF", '{"access_token":"t\\r\\nX: 1","expires_at":1}'],
    ["a token with a space", '{"access_token":"a b","expires_at":1}'],
    ["a non-ASCII token", '{"access_token":"t\u00e9","expires_at":1}'],
    ["a token too long", `{"access_token":"${"a".repeat(16_385)}","expires_at":1}`],
  ])("%s is not a cache file", (_name, text) => {
    expect(parseCacheFile(text)).toBeUndefined();
  });

  test("a token further ahead than maxTtlSec (plus a minute of slack) has outlived it", () => {
    const at = (expiresAt: number) => ({ accessToken: "t", expiresAt, expiresIn: 0 });
    expect(outlivesMaxTtl(at(NOW + 86_400), NOW, 86_400)).toBe(false);
    expect(outlivesMaxTtl(at(NOW + 86_400 + 30), NOW, 86_400)).toBe(false);
    expect(outlivesMaxTtl(at(NOW + 86_400 + 120), NOW, 86_400)).toBe(true);
    expect(outlivesMaxTtl(at(NOW * 1000), NOW, 86_400)).toBe(true);
    expect(outlivesMaxTtl(at(NOW + 900), NOW, 300)).toBe(true);
  });

  test("a cache file with a non-finite or non-numeric expiry is no cache file", () => {
    for (const expires_at of ["1e400", '"1800000000"', "null"]) {
      expect(parseCacheFile(`{"access_token":"t","expires_at":${expires_at}}`)).toBeUndefined();
    }
    expect(parseCacheFile('{"access_token":"t","expires_at":1,"expires_in":"9"}')).toBeUndefined();
    expect(parseCacheFile('[{"access_token":"t","expires_at":1}]')).toBeUndefined();
  });
});
