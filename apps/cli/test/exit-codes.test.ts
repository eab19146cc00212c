/** How runtime errors end the CLI: by their `code` and `reason`, never by their message. */
import { describe, expect, test } from "bun:test";
import {
  ApiError,
  type ApiErrorReason,
  AuthNetworkError,
  type AuthNetworkErrorReason,
  AuthSessionError,
  ConfigError,
} from "@openclaw/auth-runtime";
import { ExitCode, runtimeExitCode } from "../src/output.ts";

const REFUSAL = "Refusing to send the token to https://other.example";
const apiError = (message: string, reason: ApiErrorReason) =>
  new ApiError(message, { reason, request: "GET /x" });

describe("runtimeExitCode", () => {
  test("an ApiError refusing the URL is a usage error (2), whatever its message says", () => {
    expect(runtimeExitCode(apiError("fetch failed", "refused"))).toBe(ExitCode.Usage);
  });

  test("any other ApiError got no usable answer: a network error (4), whatever its message says", () => {
    const reasons: ApiErrorReason[] = ["network", "timeout", "aborted", "too-large", "redirect"];
    for (const reason of reasons) {
      expect(runtimeExitCode(apiError(REFUSAL, reason)), reason).toBe(ExitCode.Network);
    }
  });

  test("the other runtime errors by their code: config 2, auth 3, token network 4", () => {
    expect(runtimeExitCode(new ConfigError("CLIENT_KEY is required"))).toBe(ExitCode.Usage);
    expect(runtimeExitCode(new AuthSessionError("refused", { status: 401 }))).toBe(ExitCode.Auth);
    const reasons: AuthNetworkErrorReason[] = ["network", "timeout", "aborted"];
    for (const reason of reasons) {
      const error = new AuthNetworkError("no answer", { reason, request: "POST /auth/session" });
      expect(runtimeExitCode(error), reason).toBe(ExitCode.Network);
    }
  });

  test("anything else is not a runtime error", () => {
    expect(runtimeExitCode(new Error("API_ERROR: Refusing to send the token"))).toBeUndefined();
    expect(runtimeExitCode({ code: "API_ERROR", reason: "refused" })).toBeUndefined();
    expect(runtimeExitCode(Object.assign(new Error("x"), { code: "toString" }))).toBeUndefined();
  });

  test("an error whose code is not a string is not a runtime error, even one that prints as one", () => {
    // Object.hasOwn turns ["API_ERROR"] into the key "API_ERROR".
    const error = Object.assign(new Error("x"), { code: ["API_ERROR"], reason: "network" });
    expect(runtimeExitCode(error)).toBeUndefined();
  });
});
