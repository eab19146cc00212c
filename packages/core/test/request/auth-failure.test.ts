import { describe, expect, test } from "bun:test";
import { ApiResponse, isAuthFailure } from "../fixtures/internal-api.ts";

const response = (status: number, body: unknown) =>
  new ApiResponse({
    status,
    body: typeof body === "string" ? body : JSON.stringify(body),
    url: "http://127.0.0.1/x",
  });
const detects = (status: number, body: unknown) => isAuthFailure(response(status, body));

describe("isAuthFailure", () => {
  test("401 and 403 are auth failures whatever the body", () => {
    expect(detects(401, "")).toBe(true);
    expect(detects(403, "<html>forbidden</html>")).toBe(true);
    expect(detects(402, "")).toBe(false);
  });

  test("a 401 or 403 code in the body, as a number or a string, under code, status or errcode", () => {
    for (const field of ["code", "status", "errcode"]) {
      for (const code of [401, 403, "401", "403"]) {
        expect(detects(200, { [field]: code, msg: "no" })).toBe(true);
      }
      expect(detects(200, { [field]: 400, msg: "no" })).toBe(false);
      expect(detects(200, { [field]: "4010", msg: "no" })).toBe(false);
    }
  });

  test("the marker alone in any error field is enough: no code is needed", () => {
    const fields = [
      "error",
      "msg",
      "message",
      "errmsg",
      "error_description",
      "errorCode",
      "error_code",
    ];
    for (const field of fields) {
      expect(detects(200, { [field]: "Token expired" })).toBe(true);
      expect(detects(200, { [field]: "Unauthorized" })).toBe(true);
      expect(detects(200, { [field]: "unauthorised" })).toBe(true);
    }
    expect(detects(200, { message: "Token expired" })).toBe(true);
    expect(detects(200, { error: "Unauthorized" })).toBe(true);
    // The words in a field that is not an error field are data, not an error.
    expect(detects(200, { title: "Token expired", detail: "unauthorized" })).toBe(false);
  });

  test("'invalid token' in its spellings, and nothing that only looks like it", () => {
    for (const text of [
      "invalid token",
      "invalid_token",
      "invalid-token",
      "InvalidToken",
      "token invalid",
      "token_invalid",
      "token-invalid",
      "tokeninvalid",
    ]) {
      expect(detects(200, { error: text })).toBe(true);
    }
    for (const text of ["invalid:token", "invalidXtoken", "token:invalid", "tokenXinvalid"]) {
      expect(detects(200, { error: text })).toBe(false);
    }
  });

  test("only string error fields count", () => {
    expect(detects(200, { error: ["token expired"] })).toBe(false);
    expect(detects(200, { error: { reason: "token expired" } })).toBe(false);
  });

  test("bodies that are not a JSON object are not read", () => {
    expect(detects(200, "token expired")).toBe(false);
    expect(detects(200, '"token expired"')).toBe(false);
    expect(detects(200, [{ code: 401 }])).toBe(false);
    expect(detects(200, '{"msg": "token expired"')).toBe(false);
  });

  test("a JSON object after whitespace is read, as a pretty-printed envelope is", () => {
    expect(detects(200, '\n  {"code": 401, "msg": "token expired"}')).toBe(true);
    expect(detects(200, '\t\r\n{"error":"Unauthorized"}')).toBe(true);
    expect(detects(200, ' x {"code": 401}')).toBe(false);
  });

  test("bodies up to 4096 characters are searched, larger ones are payloads", () => {
    const padded = (length: number) => {
      const head = '{"code":401,"pad":"';
      return `${head}${"x".repeat(length - head.length - 2)}"}`;
    };
    expect(padded(4096)).toHaveLength(4096);
    expect(detects(200, padded(4096))).toBe(true);
    expect(detects(200, padded(4097))).toBe(false);
  });
});
