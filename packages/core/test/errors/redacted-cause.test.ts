/** An error's cause without secrets: kept as it is when clean, a redacted copy when not. */
import { describe, expect, test } from "bun:test";
import { inspect } from "node:util";
import { ApiError, redactedCause } from "../../src/errors/errors.ts";

const TOKEN = "tok-CAUSE-UNIT-3b7e";

describe("redactedCause", () => {
  test("a cause that holds no secret is the same object", () => {
    const error = new TypeError("fetch failed");
    expect(redactedCause(error, [TOKEN])).toBe(error);
  });

  test("a cause quoting a token is a copy with its name, code, message and stack redacted, its own cause too", () => {
    const root = Object.assign(new Error(`socket said Bearer ${TOKEN}`), { code: "ECONNRESET" });
    const error = new TypeError(`Headers.append: "Bearer ${TOKEN}" is an invalid header value.`, {
      cause: root,
    });
    const safe = redactedCause(error, [TOKEN]) as Error & { code?: string; cause: Error };
    expect(safe).not.toBe(error);
    expect(safe.name).toBe("TypeError");
    expect(safe.message).toBe('Headers.append: "Bearer [redacted]" is an invalid header value.');
    expect(safe.cause.message).toBe("socket said Bearer [redacted]");
    expect((safe.cause as Error & { code?: string }).code).toBe("ECONNRESET");
    const wrapped = new ApiError("API request failed", {
      cause: safe,
      reason: "network",
      request: "GET /x",
    });
    expect(inspect(wrapped, { depth: 10 })).not.toContain(TOKEN);
    expect(safe.stack).not.toContain(TOKEN);
  });

  test("a secret in a string property alone is enough to copy", () => {
    const error = Object.assign(new Error("bad header"), { value: `Bearer ${TOKEN}` });
    const safe = redactedCause(error, [TOKEN]) as Error;
    expect(safe).not.toBe(error);
    expect(inspect(safe)).not.toContain(TOKEN);
  });

  test("a cause chain without a secret in its top error is still copied when a deeper cause quotes one", () => {
    const root = Object.assign(new Error("connect to sk-SECRET refused"), { code: "ECONNREFUSED" });
    const top = new TypeError("fetch failed", { cause: root });
    const copy = redactedCause(top, ["sk-SECRET"]) as Error & { cause: Error & { code?: string } };
    expect(copy).not.toBe(top);
    expect(copy.name).toBe("TypeError");
    expect(copy.message).toBe("fetch failed");
    expect(copy.cause.message).toBe("connect to [redacted] refused");
    expect(copy.cause.code).toBe("ECONNREFUSED");
    expect(redactedCause(undefined, ["sk-SECRET"])).toBeUndefined();
  });

  test("strings are redacted", () => {
    expect(redactedCause(`x ${TOKEN}`, [TOKEN])).toBe("x [redacted]");
  });
});
