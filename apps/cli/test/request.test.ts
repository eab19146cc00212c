/** `request`: bodies (inline, @file, stdin), headers, --include, auto-refresh and exit codes. */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expectErrorLine, OFFER_URL, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

describe("request", () => {
  test(
    "POST with inline JSON: the scrape result on stdout, nothing on stderr, exit 0",
    async () => {
      const run = await fx.run([
        "request",
        "POST",
        "/ecom/tasks/scrape",
        "--data",
        JSON.stringify({ url: OFFER_URL }),
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      const product = JSON.parse(run.stdout);
      expect(product).toMatchObject({ offerId: "610947572360", currency: "CNY" });
      expect(typeof product.price).toBe("number");
    },
    TIMEOUT_MS,
  );

  test(
    "inline JSON is sent byte for byte as application/json, with repeated --header",
    async () => {
      const data = '{"a": [1, 2],  "b": "x"}';
      const run = await fx.run([
        "request",
        "put",
        "/echo/items?q=1",
        "-d",
        data,
        "--header",
        "X-Trace: abc",
        "-H",
        "X-Other:  two ",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const echo = JSON.parse(run.stdout) as Echo;
      expect(echo).toMatchObject({ method: "PUT", path: "/echo/items", query: { q: "1" } });
      expect(echo.body).toBe(data);
      expect(echo.headers["content-type"]).toBe("application/json");
      expect(echo.headers["x-trace"]).toBe("abc");
      expect(echo.headers["x-other"]).toBe("two");
      expect(echo.headers.authorization).toBe("Bearer [redacted]");
    },
    TIMEOUT_MS,
  );

  test(
    "--data @file sends a JSON file as JSON and any other file as raw bytes",
    async () => {
      const jsonFile = join(fx.dir, "body.json");
      await writeFile(jsonFile, JSON.stringify({ url: OFFER_URL }));
      const scrape = await fx.run([
        "request",
        "POST",
        "/ecom/tasks/scrape",
        "--data",
        `@${jsonFile}`,
      ]);
      expect(scrape.code, scrape.stderr).toBe(0);
      expect(JSON.parse(scrape.stdout).offerId).toBe("610947572360");

      const textFile = join(fx.dir, "body.txt");
      await writeFile(textFile, "plain text, not JSON");
      const echo = await fx.run(["request", "POST", "/echo", "--data", `@${textFile}`]);
      const body = JSON.parse(echo.stdout) as Echo;
      expect(body.body).toBe("plain text, not JSON");
      expect(body.headers["content-type"]).not.toBe("application/json");
    },
    TIMEOUT_MS,
  );

  test(
    "--data - reads the body from stdin (JSON as JSON, else raw)",
    async () => {
      const json = await fx.run(["request", "POST", "/echo", "--data", "-"], {
        stdin: '{"from": "stdin"}',
      });
      expect(json.code, json.stderr).toBe(0);
      const echo = JSON.parse(json.stdout) as Echo;
      expect(echo.body).toBe('{"from": "stdin"}');
      expect(echo.headers["content-type"]).toBe("application/json");

      const raw = await fx.run(["request", "POST", "/echo", "--data", "-"], { stdin: "a=1&b=2" });
      expect((JSON.parse(raw.stdout) as Echo).body).toBe("a=1&b=2");
    },
    TIMEOUT_MS,
  );

  test(
    "--include puts the status line and headers on stderr, the body alone on stdout",
    async () => {
      const run = await fx.run(["request", "GET", "/echo", "--include"]);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^HTTP 200 OK\n/);
      expect(run.stderr).toMatch(/^content-type: application\/json/m);
      expect(JSON.parse(run.stdout).method).toBe("GET");
    },
    TIMEOUT_MS,
  );

  test(
    "a non-2xx answer: its body on stdout, one HTTP_ERROR line on stderr, exit 1",
    async () => {
      const run = await fx.run([
        "request",
        "POST",
        "/ecom/tasks/scrape",
        "--data",
        '{"url": "https://example.com/x"}',
      ]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error).toBe("invalid_url");
      expectErrorLine(run, "HTTP_ERROR");
      expect(run.stderr).toContain("HTTP 422");
    },
    TIMEOUT_MS,
  );

  test(
    "a refused token is refreshed and the request sent once more (same body)",
    async () => {
      expect((await fx.run(["token"])).code).toBe(0);
      fx.gateway.revokeAll();
      const run = await fx.run(["request", "POST", "/echo", "--data", '{"n": 1}']);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as Echo).body).toBe('{"n": 1}');
      expect(fx.gateway.stats().tokensIssued).toBe(2);
      expect(fx.gateway.stats().authFailures).toBe(1);

      fx.gateway.setFaults([{ kind: "token-expired-body", route: "/echo", count: 1 }]);
      const again = await fx.run(["request", "GET", "/echo"]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).method).toBe("GET");
      expect(fx.gateway.stats().tokensIssued).toBe(3);
    },
    TIMEOUT_MS,
  );

  test(
    "a URL the token may not go to is refused before sending: exit 2, API_ERROR",
    async () => {
      const other = await fx.run(["request", "GET", "https://other.example/echo"]);
      expect(other.code).toBe(2);
      expectErrorLine(other, "API_ERROR");
      expect(other.stderr).toContain("Refusing to send the token");
      const plain = await fx.run(["request", "GET", "http://other.example/echo"], {
        env: { AUTH_ALLOWED_ORIGINS: "http://other.example" },
      });
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain("over http");
      expect(fx.gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );

  test(
    "an API request that gets no answer is a network error: exit 4, API_ERROR",
    async () => {
      fx.gateway.setFaults([{ kind: "drop", route: "/echo" }]);
      const run = await fx.run(["request", "GET", "/echo"]);
      expect(run.code).toBe(4);
      expect(run.stdout).toBe("");
      expectErrorLine(run, "API_ERROR");
    },
    TIMEOUT_MS,
  );

  test(
    "a token request that fails ends the request with its own exit code",
    async () => {
      const auth = await fx.run(["request", "GET", "/echo"], {
        env: { CLIENT_KEY: "ck-live-WRONG-0000" },
      });
      expect(auth.code).toBe(3);
      expectErrorLine(auth, "AUTH_SESSION_ERROR");
      fx.gateway.setFaults([{ kind: "drop", route: "/auth/session" }]);
      const network = await fx.run(["request", "GET", "/echo"]);
      expect(network.code).toBe(4);
      expectErrorLine(network, "AUTH_NETWORK_ERROR");
    },
    TIMEOUT_MS,
  );

  test(
    "--dry-run prints the request it would send, makes no request and writes no cache",
    async () => {
      const run = await fx.run([
        "request",
        "POST",
        "/ecom/tasks/scrape",
        "--data",
        JSON.stringify({ url: OFFER_URL }),
        "--dry-run",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const shown = JSON.parse(run.stdout);
      expect(shown).toMatchObject({
        dryRun: true,
        method: "POST",
        url: `${fx.gateway.url}/ecom/tasks/scrape`,
        body: { url: OFFER_URL },
      });
      expect(shown.headers.authorization).toBe("Bearer [redacted]");
      expect(fx.gateway.stats().requests).toEqual({});
      expect(existsSync(fx.cacheDir)).toBe(false);
    },
    TIMEOUT_MS,
  );

  test(
    "bad bodies, headers and methods are usage errors (exit 2) that do not repeat the body",
    async () => {
      const cases: [string[], RegExp][] = [
        [["request", "POST", "/echo", "--data", "{secret-ish"], /not valid JSON/],
        [["request", "POST", "/echo", "--data", `@${join(fx.dir, "none.json")}`], /ENOENT/],
        [["request", "GET", "/echo", "--data", "{}"], /cannot have a body/],
        [["request", "POST", "/echo", "--header", "no colon here"], /Name: value/],
        [["request", "P O", "/echo"], /METHOD must be/],
        [["request", "/echo"], /needs URL; the method comes first/],
        [["request", "POST", "/echo", "--data"], /'--data' needs a value/],
      ];
      for (const [args, message] of cases) {
        const run = await fx.run(args);
        expect(run.code, args.join(" ")).toBe(2);
        expectErrorLine(run, "USAGE_ERROR");
        expect(run.stderr).toMatch(message);
        expect(run.stderr).not.toContain("secret-ish");
      }
      expect(fx.gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );
});
