/** How runtime errors end the CLI: by their `code` and `reason`, never by their message. */
import { describe, expect, test } from "bun:test";
import { ApiError, AuthNetworkError, AuthSessionError, ConfigError } from "@openclaw/auth-runtime";
import { ExitCode, runtimeExitCode } from "../src/output.ts";

/** A runtime error with the `reason` core's ApiError and AuthNetworkError carry. */
const because = <E extends Error>(error: E, reason: string) => Object.assign(error, { reason });
const REFUSAL = "Refusing to send the token to https://other.example";
const apiError = (message = "fetch failed") => new ApiError(message, { request: "GET /x" });

describe("runtimeExitCode", () => {
  test("an ApiError refusing the URL is a usage error (2), whatever its message says", () => {
    expect(runtimeExitCode(because(apiError("fetch failed"), "refused"))).toBe(ExitCode.Usage);
  });

  test("any other ApiError got no usable answer: a network error (4), whatever its message says", () => {
    for (const reason of ["network", "timeout", "aborted", "too-large", "redirect"]) {
      expect(runtimeExitCode(because(apiError(REFUSAL), reason)), reason).toBe(ExitCode.Network);
    }
    // Without a reason (a core that does not set it yet): as before, a network error.
    expect(runtimeExitCode(apiError(REFUSAL))).toBe(ExitCode.Network);
  });

  test("the other runtime errors by their code: config 2, auth 3, token network 4", () => {
    expect(runtimeExitCode(new ConfigError("CLIENT_KEY is required"))).toBe(ExitCode.Usage);
    expect(runtimeExitCode(new AuthSessionError("refused", { status: 401 }))).toBe(ExitCode.Auth);
    for (const reason of ["network", "timeout", "aborted"]) {
      const error = because(new AuthNetworkError("no answer"), reason);
      expect(runtimeExitCode(error), reason).toBe(ExitCode.Network);
    }
  });

  test("anything else is not a runtime error", () => {
    expect(runtimeExitCode(new Error("API_ERROR: Refusing to send the token"))).toBeUndefined();
    expect(runtimeExitCode({ code: "API_ERROR", reason: "refused" })).toBeUndefined();
    expect(runtimeExitCode(Object.assign(new Error("x"), { code: "toString" }))).toBeUndefined();
  });
});
