/**
 * doctor shows URLs without their query (a token URL may carry `?client_secret=…`) or userinfo,
 * on every line, in text and --json, whether the token endpoint answers or not.
 */
import { describe, expect, test } from "bun:test";
import { displayUrl } from "../src/display.ts";
import { closedPortUrl, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const QUERY_SECRET = "qs-SECRET-5d1e8b";

describe("doctor shows URLs without query", () => {
  test(
    "a secret in AUTH_TOKEN_URL's query is on no line, with the gateway unreachable or not contacted",
    async () => {
      const tokenUrl = `${await closedPortUrl()}/oauth/token?client_secret=${QUERY_SECRET}&x=1`;
      const env = {
        AUTH_GRANT: "client_credentials",
        AUTH_CLIENT_ID: "svc",
        AUTH_TOKEN_URL: tokenUrl,
        AUTH_TIMEOUT_MS: "2000",
      };
      for (const args of [["doctor"], ["doctor", "--json"], ["doctor", "--dry-run"]]) {
        const run = await fx.run(args, { env });
        expect(run.stdout, args.join(" ")).toContain("/oauth/token");
        expect(run.stdout + run.stderr).not.toContain(QUERY_SECRET);
        expect(run.stdout).not.toContain("client_secret=");
      }
    },
    TIMEOUT_MS,
  );

  test("displayUrl drops the query, the fragment and the userinfo, and nothing else", () => {
    expect(displayUrl("https://u:p@as.example/token?client_secret=s#f")).toBe(
      "https://as.example/token",
    );
    expect(displayUrl("https://as.example?next=a@b")).toBe("https://as.example");
    expect(displayUrl("http://127.0.0.1:8080/a@b/c")).toBe("http://127.0.0.1:8080/a@b/c");
    expect(displayUrl("https://gw.example.com")).toBe("https://gw.example.com");
  });

  test("a query holding a space or a line break is dropped whole", () => {
    expect(displayUrl("https://as.example/token?client_secret=s 1\nx")).toBe(
      "https://as.example/token",
    );
  });

  test("only the authority's userinfo goes: a URL quoted in the path is shown as it is", () => {
    expect(displayUrl("https://gw.example/next/https://u@other.example")).toBe(
      "https://gw.example/next/https://u@other.example",
    );
  });
});
