/**
 * Which proxy a request goes through (HTTP_PROXY/HTTPS_PROXY and NO_PROXY, as Bun's fetch reads
 * them), what of its value is a secret, and how a failure through it is named. In process: the
 * rules against a table, then an API call through a proxy that does not answer, with the
 * variable set in this process for the call's duration (Bun's fetch reads it per request).
 */
import { describe, expect, test } from "bun:test";
import { proxyCredentials, proxyFromEnv, throughProxy } from "../../src/http/proxy.ts";
import { ApiError, requestApi } from "../fixtures/internal-api.ts";

const PROXY = "http://127.0.0.1:3128";

describe("proxyFromEnv: which variable", () => {
  test("http URLs take http_proxy/HTTP_PROXY, https URLs https_proxy/HTTPS_PROXY, lower case first", () => {
    const env = { HTTP_PROXY: "http://h:1", HTTPS_PROXY: "http://s:2" };
    expect(proxyFromEnv("http://api.example/x", env)).toEqual({
      origin: "http://h:1",
      variable: "HTTP_PROXY",
      secrets: [],
    });
    expect(proxyFromEnv("https://api.example/x", env)?.variable).toBe("HTTPS_PROXY");
    expect(proxyFromEnv("https://api.example/x", env)?.origin).toBe("http://s:2");
    expect(proxyFromEnv("https://api.example/x", { HTTP_PROXY: PROXY })).toBeUndefined();
    expect(proxyFromEnv("http://api.example/x", { HTTPS_PROXY: PROXY })).toBeUndefined();
    const both = { http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:1" };
    expect(proxyFromEnv("http://api.example/x", both)?.variable).toBe("http_proxy");
    const https = { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:1" };
    expect(proxyFromEnv("https://api.example/x", https)?.origin).toBe("http://lower:1");
  });

  test("an empty, blank or quoted-empty variable counts as unset: the next one is read", () => {
    for (const empty of ["", "   ", '""', "''"]) {
      const env = { http_proxy: empty, HTTP_PROXY: PROXY };
      expect([empty, proxyFromEnv("http://api.example/", env)?.variable]).toEqual([
        empty,
        "HTTP_PROXY",
      ]);
      expect(proxyFromEnv("http://api.example/", { HTTP_PROXY: empty })).toBeUndefined();
    }
    expect(proxyFromEnv("http://api.example/", { HTTP_PROXY: `  ${PROXY}  ` })?.origin).toBe(PROXY);
  });

  test("no proxy for a URL that does not parse or is neither http nor https", () => {
    const env = { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY };
    expect(proxyFromEnv("not a url", env)).toBeUndefined();
    expect(proxyFromEnv("ftp://files.example/x", env)).toBeUndefined();
  });
});

describe("proxyFromEnv: NO_PROXY", () => {
  const proxied = (url: string, noProxy: string, name = "NO_PROXY") =>
    proxyFromEnv(url, { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY, [name]: noProxy }) !== undefined;

  test.each([
    // [url, NO_PROXY, proxied]
    ["http://api.example/x", "*", false],
    ["http://api.example/x", "other.example, *", false],
    ["http://api.example/x", "api.example", false],
    ["http://API.example/x", "api.EXAMPLE", false],
    ["http://a.api.example/x", "api.example", false],
    ["http://a.api.example/x", ".api.example", false],
    ["http://xapi.example/x", "api.example", true],
    ["http://api.example/x", "a.api.example", true],
    ["http://api.example/x", "", true],
    ["http://api.example/x", " , . ,", true],
    ["http://api.example:8080/x", "api.example:8080", false],
    ["http://api.example:8081/x", "api.example:8080", true],
    ["http://api.example/x", "api.example:80", false],
    ["https://api.example/x", "api.example:443", false],
    ["https://api.example/x", "api.example:80", true],
    ["http://10.1.2.3/x", "10.1.2.3", false],
    ["http://10.1.2.3/x", "1.2.3", true],
    ["http://10.1.2.3/x", "10.0.0.0/8", false],
    ["http://11.1.2.3/x", "10.0.0.0/8", true],
    ["http://10.1.2.3/x", "10.1.2.0/24", false],
    ["http://10.1.3.3/x", "10.1.2.0/24", true],
    ["http://10.1.2.3/x", "10.1.2.3/32", false],
    ["http://10.1.2.4/x", "10.1.2.3/32", true],
    ["http://10.1.2.3/x", "0.0.0.0/0", false],
    ["http://10.1.2.3/x", "10.1.2.3/33", true],
    ["http://10.1.2.3/x", "10.1.2/8", true],
    ["http://10.1.2.3/x", "10.1.2.256/8", true],
    ["http://api.example/x", "10.0.0.0/8", true],
    ["http://10.1.2.3:9000/x", "10.1.2.3:9000", false],
    ["http://[::1]:9000/x", "[::1]:9000", false],
    ["http://[::1]:9000/x", "[::1]", false],
    ["http://10.1.2.3/x", "2.3", true],
    // Malformed entries match nothing (each would match something if read loosely).
    ["http://0.10.5.5/x", "10.1.2/16", true],
    ["http://0.1.2.3/x", "10.1.2/8", true],
    ["http://1.2.3.4/x", "0001.1.1.1/8", true],
    ["http://api.example/x", "0.0.0.0/8", true],
    ["http://y:8080/x", "x:y:8080", true],
    ["http://api.example:8080/x", "api.example:8080x", true],
    ["http://10.1.2.3/x", "x10.0.0.0/8", true],
    ["http://10.1.2.3/x", "10.0.0.0/8x", true],
  ])("%s with NO_PROXY=%p: proxied %p", (url, noProxy, expected) => {
    expect(proxied(url, noProxy)).toBe(expected);
  });

  test("no_proxy is read before NO_PROXY, and an empty one falls through to it", () => {
    const env = { HTTP_PROXY: PROXY, no_proxy: "api.example", NO_PROXY: "other.example" };
    expect(proxyFromEnv("http://api.example/", env)).toBeUndefined();
    expect(proxyFromEnv("http://other.example/", env)).toEqual({
      origin: PROXY,
      variable: "HTTP_PROXY",
      secrets: [],
    });
    expect(proxied("http://api.example/", "api.example", "no_proxy")).toBe(false);
    expect(
      proxyFromEnv("http://api.example/", { HTTP_PROXY: PROXY, no_proxy: "", NO_PROXY: "*" }),
    ).toBeUndefined();
  });
});

describe("the proxy's value: origin and secrets", () => {
  test("the origin carries no userinfo or path; a scheme-less value is read as http", () => {
    const use = (value: string) => proxyFromEnv("http://api.example/", { HTTP_PROXY: value });
    expect(use("http://me:pw@127.0.0.1:3128/path?q")?.origin).toBe(PROXY);
    expect(use("127.0.0.1:3128")?.origin).toBe(PROXY);
    expect(use("https://proxy.example")?.origin).toBe("https://proxy.example");
    expect(use("HTTP://127.0.0.1:3128")?.origin).toBe(PROXY);
    expect(use("http://[bad")?.origin).toBe("the proxy in HTTP_PROXY");
    expect(use("socks5://127.0.0.1:1080")?.origin).toBe("the proxy in HTTP_PROXY");
    expect(use("127.0.0.1:3128/a://b")?.origin).toBe(PROXY);
  });

  test("the userinfo, as written and decoded, and the password alone are secrets", () => {
    expect(proxyCredentials("http://me:p%40ss@127.0.0.1:3128")).toEqual([
      "me:p%40ss",
      "me:p@ss",
      "p%40ss",
      "p@ss",
    ]);
    expect(proxyCredentials("  TOKEN123@127.0.0.1:3128  ")).toEqual(["TOKEN123"]);
    expect(proxyCredentials("HTTPS://user:pw@host/a@b")).toEqual(["user:pw", "pw"]);
    expect(proxyCredentials("http://a@b:pw@host")).toEqual(["a@b:pw", "pw"]);
    expect(proxyCredentials("http://user:%E0%A4%A@host")).toEqual(["user:%E0%A4%A", "%E0%A4%A"]);
    expect(proxyCredentials("http://user:@host")).toEqual(["user:"]);
    expect(proxyCredentials("socks5://u:p@host")).toEqual(["u:p", "p"]);
    expect(proxyCredentials("http://:pw@host")).toEqual([":pw", "pw"]);
    expect(proxyCredentials("http://127.0.0.1:3128")).toEqual([]);
    expect(proxyCredentials("http://@host")).toEqual([]);
    expect(proxyCredentials("http://host/path@x")).toEqual([]);
    expect(proxyCredentials("http://host?u@x")).toEqual([]);
    expect(proxyCredentials("http://host#u@x")).toEqual([]);
  });

  test("a failure through a proxy names it, and says it did not answer only when it did not", () => {
    const use = { origin: PROXY, variable: "HTTPS_PROXY", secrets: [] };
    expect(throughProxy(use, "Unable to connect (ECONNREFUSED)")).toBe(
      `through the proxy ${PROXY} (HTTPS_PROXY); it did not answer`,
    );
    for (const code of [
      "ENOTFOUND",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "EAI_AGAIN",
      "ConnectionRefused",
    ]) {
      expect(throughProxy(use, `failed: ${code}`)).toEndWith("; it did not answer");
    }
    expect(throughProxy(use, "socket closed")).toBe(`through the proxy ${PROXY} (HTTPS_PROXY)`);
    const unnamed = { origin: "the proxy in HTTP_PROXY", variable: "HTTP_PROXY", secrets: [] };
    expect(throughProxy(unnamed, "ECONNREFUSED")).toBe(
      "through the proxy in HTTP_PROXY; it did not answer",
    );
  });
});

describe("an API call through a proxy that does not answer", () => {
  test("its ApiError names the proxy without its credentials; with NO_PROXY the call goes direct", async () => {
    const target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("direct"),
    });
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadPort = probe.port;
    probe.stop(true);
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    const password = "pxPASS-6f1d";
    try {
      process.env.HTTP_PROXY = `http://proxyuser:${password}@127.0.0.1:${deadPort}`;
      process.env.NO_PROXY = "";
      const error = (await requestApi({
        url: `http://127.0.0.1:${target.port}/x`,
        authToken: "tok-proxy-1",
        retry: 0,
      }).catch((thrown: unknown) => thrown)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(error.reason).toBe("network");
      expect(error.message).toContain(
        `(GET http://127.0.0.1:${target.port}/x, through the proxy http://127.0.0.1:${deadPort} (HTTP_PROXY); it did not answer)`,
      );
      expect(Bun.inspect(error)).not.toContain(password);
      expect(Bun.inspect(error)).not.toContain("tok-proxy-1");

      process.env.NO_PROXY = "127.0.0.1";
      const direct = await requestApi({
        url: `http://127.0.0.1:${target.port}/x`,
        authToken: "tok-proxy-1",
        retry: 0,
      });
      expect(direct.body).toBe("direct");
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      target.stop(true);
    }
  });

  test("a caller's own fetch is not said to go through the proxy", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadPort = probe.port;
    probe.stop(true);
    const saved = process.env.HTTP_PROXY;
    try {
      process.env.HTTP_PROXY = `http://127.0.0.1:${deadPort}`;
      const error = (await requestApi({
        url: `http://127.0.0.1:${deadPort}/x`,
        authToken: "t",
        retry: 0,
        fetch: (input, init) => fetch(input, { ...init, proxy: undefined } as RequestInit),
      }).catch((thrown: unknown) => thrown)) as ApiError;
      expect(error.reason).toBe("network");
      expect(error.message).not.toContain("proxy");
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });
});
