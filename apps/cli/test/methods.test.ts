/**
 * `request METHOD`: an RFC 9110 token, sent exactly as typed (and as --dry-run shows it), or
 * refused before anything is sent when Bun's fetch would send another method.
 */
import { describe, expect, test } from "bun:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SENDABLE_METHODS } from "../src/method.ts";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

describe("request METHOD", () => {
  test(
    "each method of the list reaches a node:http server as typed through Bun's fetch",
    async () => {
      // The list is what the CLI promises to send as given: if a Bun upgrade rewrote one of
      // them (as it rewrites FOO to GET), this fails.
      const server = createServer((request, response) => response.end(request.method));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      try {
        for (const method of SENDABLE_METHODS) {
          const response = await fetch(`http://127.0.0.1:${port}/`, { method });
          const seen = method === "HEAD" ? "HEAD" : await response.text();
          expect(seen, method).toBe(method);
        }
        // And what the CLI refuses is indeed not sent as given.
        const foo = await fetch(`http://127.0.0.1:${port}/`, { method: "FOO" });
        expect(await foo.text()).not.toBe("FOO");
      } finally {
        server.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "PATCH, PROPFIND, QUERY and M-SEARCH arrive at the gateway as typed, and --dry-run shows the same",
    async () => {
      for (const method of ["PATCH", "PROPFIND", "QUERY", "M-SEARCH"]) {
        const run = await fx.run(["request", method, "/echo"]);
        expect(run.code, run.stderr).toBe(0);
        expect((JSON.parse(run.stdout) as { method: string }).method).toBe(method);
        const dry = await fx.run(["request", method, "/echo", "--dry-run"]);
        expect(dry.code, dry.stderr).toBe(0);
        expect((JSON.parse(dry.stdout) as { method: string }).method).toBe(method);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "the six methods the Fetch standard normalises go out upper-cased, as --dry-run shows",
    async () => {
      const run = await fx.run(["request", "post", "/echo", "--data", "{}"]);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { method: string }).method).toBe("POST");
      const dry = await fx.run(["request", "post", "/echo", "--data", "{}", "--dry-run"]);
      expect((JSON.parse(dry.stdout) as { method: string }).method).toBe("POST");
    },
    TIMEOUT_MS,
  );

  test(
    "a method Bun would send as another (FOO, Query, patch) or Fetch forbids (TRACE) is refused, dry run or not, and nothing is sent",
    async () => {
      const cases: [string, RegExp][] = [
        ["FOO", /METHOD 'FOO' cannot be sent as given: .*would send this one as GET/],
        ["Query", /METHOD cannot be sent as given \(methods are case-sensitive .* write QUERY/],
        ["patch", /METHOD 'patch' cannot be sent as given .* write PATCH/],
        ["TRACE", /METHOD 'TRACE' is forbidden by the Fetch standard/],
      ];
      for (const [method, message] of cases) {
        for (const extra of [[], ["--dry-run"]]) {
          const run = await fx.run(["request", method, "/echo", ...extra]);
          expect(run.code, `${method} ${extra}`).toBe(2);
          expect(run.stdout).toBe("");
          expect(run.stderr).toMatch(/^openclaw-auth: USAGE_ERROR: /);
          expect(run.stderr).toMatch(message);
        }
      }
      expect(fx.gateway.stats().tokensIssued).toBe(0);
      expect(fx.gateway.stats().requests["/echo"] ?? 0).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "a METHOD with a character outside RFC 9110's token is a usage error that does not repeat it",
    async () => {
      for (const method of ["GE T", "X(1)", "GET\r\n", ""]) {
        const run = await fx.run(["request", method, "/echo"]);
        expect(run.code, JSON.stringify(method)).toBe(2);
        expect(run.stderr).toContain("RFC 9110 token characters");
        if (method.trim()) expect(run.stderr).not.toContain(method);
      }
    },
    TIMEOUT_MS,
  );
});
