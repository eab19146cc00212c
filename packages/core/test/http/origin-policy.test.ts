/** URL resolution, loopback detection and secret redaction: the pure helpers behind the policy. */
import { describe, expect, test } from "bun:test";
import { bodyExcerpt, redactSecrets } from "../../src/errors/redact.ts";
import {
  assertSecureTransport,
  mayReceiveToken,
  resolveApiHref,
} from "../../src/http/origin-policy.ts";
import { ApiError, isLoopbackHost, resolveApiUrl } from "../fixtures/internal-api.ts";

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

  test("a relative path with a colon in it stays a path; a scheme with digits is a URL", () => {
    expect(resolveApiUrl("v1/items/a:b", config).href).toBe(
      "https://gw.example.com/api/v1/items/a:b",
    );
    expect(resolveApiUrl("/v1/items/a:b", config).href).toBe(
      "https://gw.example.com/api/v1/items/a:b",
    );
    // Not "https://gw.example.com/api/s3://bucket/x": a URL of another scheme is refused.
    for (const url of ["s3://bucket/x", "h2c://gw.example.com/x", "web+app1:x"]) {
      expect(() => resolveApiUrl(url, config)).toThrow(ApiError);
      expect(() => resolveApiHref(url, config)).toThrow(ApiError);
    }
  });

  test("the error names the whole request when it has no query, and cuts at a fragment", () => {
    const refused = (url: string) => {
      try {
        resolveApiUrl(url, config, "PUT");
      } catch (error) {
        return error as ApiError;
      }
      throw new Error(`${url} was not refused`);
    };
    expect(refused("https://evil.example.com/path/item").request).toBe(
      "PUT https://evil.example.com/path/item",
    );
    expect(refused("https://evil.example.com/p#frag?x").request).toBe(
      "PUT https://evil.example.com/p",
    );
    expect(refused("https://evil.example.com/path/item").message).toBe(
      "Refusing to send the token to https://evil.example.com: not the AUTH_BASE origin and not in AUTH_ALLOWED_ORIGINS (PUT https://evil.example.com/path/item)",
    );
  });
});

describe("resolveApiUrl's refusals say what and why", () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error as ApiError;
    }
    throw new Error("not refused");
  };

  test("an unparseable URL is refused as invalid, named with GET when no method is given", () => {
    const error = refusal(() => resolveApiUrl("https://[gw.example.com/x?k=1", config));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("Invalid request URL: GET https://[gw.example.com/x");
    expect(error.reason).toBe("refused");
    expect(error.request).toBe("GET https://[gw.example.com/x");
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  test("another origin is refused with reason refused, named with GET when no method is given", () => {
    const error = refusal(() => resolveApiUrl("https://evil.example.com/x?k=1", config));
    expect(error.reason).toBe("refused");
    expect(error.request).toBe("GET https://evil.example.com/x");
  });

  test("plain http to a host that is not loopback is refused with reason refused", () => {
    const insecure = {
      authBase: "https://gw.example.com",
      allowedOrigins: ["http://cdn.example.com"],
    };
    const error = refusal(() => resolveApiUrl("http://cdn.example.com/x", insecure, "PUT"));
    expect(error.reason).toBe("refused");
    expect(error.request).toBe("PUT http://cdn.example.com/x");
  });
});

describe("assertSecureTransport (requests without a config)", () => {
  test("https and loopback http pass; plain http elsewhere is refused, naming the request", () => {
    expect(() => assertSecureTransport(new URL("https://gw.example.com/x"), "GET x")).not.toThrow();
    expect(() => assertSecureTransport(new URL("http://127.0.0.1:9/x"), "GET x")).not.toThrow();
    let error: ApiError | undefined;
    try {
      assertSecureTransport(new URL("http://gw.example.com/x"), "POST http://gw.example.com/x");
    } catch (caught) {
      error = caught as ApiError;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error?.message).toBe(
      "Refusing to send the token over http to a non-loopback host (POST http://gw.example.com/x)",
    );
    expect(error?.reason).toBe("refused");
    expect(error?.request).toBe("POST http://gw.example.com/x");
  });

  test("the loopback exemption is plain http's only: another scheme to loopback is refused", () => {
    for (const url of ["ws://127.0.0.1:9/x", "ftp://127.0.0.1/x"]) {
      expect(() => assertSecureTransport(new URL(url), "GET x")).toThrow(ApiError);
    }
  });
});

describe("mayReceiveToken (each redirect hop)", () => {
  test("the AUTH_BASE origin and each allowed origin may; any other origin or plain http may not", () => {
    const may = (url: string) => mayReceiveToken(new URL(url), config);
    expect(may("https://gw.example.com/elsewhere")).toBe(true);
    expect(may("https://cdn.example.com/f")).toBe(true);
    expect(may("https://evil.example.com/")).toBe(false);
    expect(may("http://gw.example.com/")).toBe(false);
    const loopback = { authBase: "http://127.0.0.1:8080", allowedOrigins: [] };
    expect(mayReceiveToken(new URL("http://127.0.0.1:8080/next"), loopback)).toBe(true);
    expect(mayReceiveToken(new URL("http://127.0.0.1:9090/next"), loopback)).toBe(false);
  });
});

describe("plain http", () => {
  test("to an allowed host that is not loopback is refused, naming the scheme and the request", () => {
    const insecure = {
      authBase: "https://gw.example.com",
      allowedOrigins: ["http://cdn.example.com"],
    };
    expect(() => resolveApiUrl("http://cdn.example.com/x?k=1", insecure, "POST")).toThrow(
      "Refusing to send the token over http to a non-loopback host (POST http://cdn.example.com/x)",
    );
    expect(mayReceiveToken(new URL("http://cdn.example.com/x"), insecure)).toBe(false);
  });
});

describe("resolveApiHref (the request path's resolution)", () => {
  test("a refused URL's error names the request with GET when no method is given", () => {
    try {
      resolveApiHref("https://evil.example.com/x?k=1", config);
      throw new Error("not refused");
    } catch (error) {
      expect((error as ApiError).request).toBe("GET https://evil.example.com/x");
    }
  });

  test("takes a URL object as well as text", () => {
    expect(resolveApiHref(new URL("https://cdn.example.com/f?x=1"), config)).toBe(
      "https://cdn.example.com/f?x=1",
    );
    expect(() => resolveApiHref(new URL("https://evil.example.com/"), config)).toThrow(ApiError);
  });

  test("gives the same URL as resolveApiUrl for paths, relative paths and absolute URLs", () => {
    for (const url of ["/v1/x?q=1", "v1/x", "/a b/../c", "https://cdn.example.com/f"]) {
      expect(new URL(resolveApiHref(url, config)).href).toBe(resolveApiUrl(url, config).href);
    }
  });

  test("a path cannot reach another host, whatever it contains", () => {
    for (const path of [
      "//evil.example/x",
      "/\\evil.example/x",
      "/@evil.example",
      "/..//evil.example",
    ]) {
      let host: string;
      try {
        host = new URL(resolveApiHref(path, config)).host;
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        continue;
      }
      expect(host).toBe("gw.example.com");
    }
  });

  test("refuses a path under a base that may not carry the token (plain http, not loopback)", () => {
    const plain = { authBase: "http://gw.example.com", allowedOrigins: [] };
    expect(() => resolveApiHref("/v1/x", plain)).toThrow(ApiError);
    const loopback = { authBase: "http://127.0.0.1:8080", allowedOrigins: [] };
    expect(resolveApiHref("/v1/x", loopback)).toBe("http://127.0.0.1:8080/v1/x");
  });
});

describe("isLoopbackHost", () => {
  test.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["[::1]", true],
    // Resolved through DNS and the hosts file on Node: may point anywhere.
    ["app.localhost", false],
    ["evil.localhost", false],
    ["localhost.", false],
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
