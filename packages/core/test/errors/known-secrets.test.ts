/** The process-wide secrets that warnings and debug lines redact: what is kept, and how many. */
import { describe, expect, test } from "bun:test";
import { redactKnown, rememberSecret, rememberToken } from "../../src/errors/redact.ts";
import { formatEventLine } from "../../src/observe/debug-log.ts";

describe("secrets known to the process", () => {
  test("a debug line of a warning quoting a key or a token the process knows hides them", () => {
    rememberSecret("ck-known-key-0001");
    rememberToken("tok-known-0001");
    const line = formatEventLine({
      type: "cache.warning",
      message: "could not read /tmp/ck-known-key-0001/x: token tok-known-0001 refused",
    });
    expect(line).toBe(
      'openclaw-auth: cache.warning message="could not read /tmp/[redacted]/x: token [redacted] refused"',
    );
  });

  test("the newest tokens are kept, never at the cost of a key", () => {
    rememberSecret("ck-kept-key-0002");
    for (let i = 0; i < 40; i++) rememberToken(`tok-rotating-${String(i).padStart(4, "0")}`);
    expect(redactKnown("ck-kept-key-0002 tok-rotating-0039 tok-rotating-0024")).toBe(
      "[redacted] [redacted] [redacted]",
    );
    // Bounded: the oldest tokens are let go (a long-lived process sees ever new ones).
    expect(redactKnown("tok-rotating-0000")).toBe("tok-rotating-0000");
  });
});
