/** URL resolution, loopback detection and secret redaction: the pure helpers behind the policy. */
import { describe, expect, test } from "bun:test";
import { ApiError, isLoopbackHost, resolveApiUrl } from "../src/index.ts";
import { bodyExcerpt, redactSecrets } from "../src/redact.ts";

const config = {
  authBase: "https://gw.example.com/api",
  allowedOrigins: ["https://cdn.example.com"],
};

describe("resolveApiUrl", () => {
  test("paths resolve under authBase, its path kept", () => {
    expect(resolveApiUrl("/v1/x?q=1", config).href).toBe("https://gw.example.com/api/v1/x?q=1");
    expect(resolveApiUrl("v1/x", config).href).toBe("https://gw.example.com/api/v1/x");
  });

  test("absolute URLs must have authBase's origin or an allowed one", () => {
    expect(resolveApiUrl("https://gw.example.com/other", config).href).toBe(
      "https://gw.example.com/other",
    );
    expect(resolveApiUrl("https://cdn.example.com/f", config).origin).toBe(
      "https://cdn.example.com",
    );
    for (const url of [
      "https://evil.example.com/",
      "https://gw.example.com.evil.example/",
      "https://gw.example.com:444/",
      "http://gw.example.com/",
      "https://gw.example.com@evil.example/",
      "//evil.example/x",
      "javascript:alert(1)",
    ]) {
      expect(() => resolveApiUrl(url, config)).toThrow(ApiError);
    }
  });

  test("the error names the request without its query string", () => {
    try {
      resolveApiUrl("https://evil.example.com/p?token=secret", config, "POST");
      throw new Error("not refused");
    } catch (error) {
      expect((error as ApiError).request).toBe("POST https://evil.example.com/p");
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

describe("isLoopbackHost", () => {
  test.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["[::1]", true],
    ["app.localhost", true],
    ["128.0.0.1", false],
    ["localhost.example.com", false],
    ["127.0.0.1.nip.io", false],
    ["0.0.0.0", false],
  ])("%s -> %p", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe("redaction", () => {
  test("every occurrence of every secret is replaced; excerpts are short and one line", () => {
    expect(redactSecrets("a KEY b KEY TOK", ["KEY", "TOK", undefined, ""])).toBe(
      "a [redacted] b [redacted] [redacted]",
    );
    const excerpt = bodyExcerpt(`{"echo":"KEY"}\n\n${"x".repeat(500)}`, ["KEY"]);
    expect(excerpt).not.toContain("KEY");
    expect(excerpt).not.toContain("\n");
    expect(excerpt.length).toBeLessThanOrEqual(201);
  });
});
