/**
 * Every example, run as a real process against a real dev gateway, with its environment passed
 * explicitly and a temp token cache: what it prints, its exit code, and that no secret leaks.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";

const EXAMPLES = resolve(import.meta.dir, "..");
const REPO = resolve(EXAMPLES, "../..");
const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
const OFFER_URL = "https://detail.1688.com/offer/610947572360.html";
const TIMEOUT_MS = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let gateway: DevGateway;
let workDir: string;
let cacheDir: string;

beforeAll(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
});
afterAll(async () => {
  await gateway.stop();
});

// Each test gets its own cache dir and working dir (so no stray .env is read) and a clean gateway.
afterEach(async () => {
  gateway.setFaults([]);
  gateway.resetStats();
  await rm(workDir, { recursive: true, force: true });
});
const fresh = async () => {
  workDir = await mkdtemp(join(tmpdir(), "openclaw-examples-"));
  cacheDir = join(workDir, "cache");
};

/** The environment of a child: only what it needs, never the parent's AUTH_* or CLIENT_KEY. */
function envFor(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    AUTH_BASE: gateway.url,
    CLIENT_KEY,
    AUTH_CACHE_DIR: cacheDir,
    ...extra,
  };
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined && env[name] === undefined) env[name] = value;
  }
  return env;
}

async function run(cmd: string[], env: Record<string, string>, cwd = workDir): Promise<Run> {
  const child = Bun.spawn(cmd, { cwd, env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const result = { code, stdout, stderr };
  // No example may print the client key, whatever happens.
  expect(stdout + stderr).not.toContain(CLIENT_KEY);
  return result;
}

const example = (name: string, args: string[] = [], extra: Record<string, string> = {}) =>
  run([process.execPath, join(EXAMPLES, name), ...args], envFor(extra));

/** What the gateway itself says about the offer, to compare with what the examples print. */
async function expectedOffer(): Promise<{ title: string; price: number; currency: string }> {
  const res = await fetch(`${gateway.url}/ecom/tasks/scrape`, {
    method: "POST",
    headers: { authorization: `Bearer ${gateway.issueToken()}` },
    body: JSON.stringify({ url: OFFER_URL }),
  });
  return (await res.json()) as { title: string; price: number; currency: string };
}

describe("basic.ts", () => {
  test(
    "posts {key: value} with a token and prints the status and body",
    async () => {
      await fresh();
      const { code, stdout, stderr } = await example("basic.ts");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toStartWith("status: 200\nbody: ");
      const echoed = JSON.parse(stdout.split("body: ")[1] ?? "");
      expect(echoed.method).toBe("POST");
      expect(echoed.body).toBe('{"key":"value"}');
      expect(echoed.headers.authorization).toBe("Bearer [redacted]");
      expect(echoed.headers["content-type"]).toBe("application/json");
      // The token went to the cache dir given in the environment.
      expect((await readdir(cacheDir)).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "exits 1 and still prints the answer when the gateway says 404",
    async () => {
      await fresh();
      const { code, stdout } = await example("basic.ts", ["/no-such-route"]);
      expect(code).toBe(1);
      expect(stdout).toStartWith("status: 404\n");
    },
    TIMEOUT_MS,
  );
});

describe("scrape-1688.ts", () => {
  test(
    "prints the offer's title and price",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      const { code, stdout, stderr } = await example("scrape-1688.ts", [OFFER_URL]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toBe(
        `title: ${offer.title}\nprice: ${offer.price.toFixed(2)} ${offer.currency}\n`,
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a second process takes the token from the cache file instead of asking again",
    async () => {
      await fresh();
      expect((await example("scrape-1688.ts", [OFFER_URL])).code).toBe(0);
      expect((await example("scrape-1688.ts", [OFFER_URL])).code).toBe(0);
      const stats = gateway.stats();
      expect(stats.tokensIssued).toBe(1);
      expect(stats.requests["/ecom/tasks/scrape"]).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "survives a revoked cached token: refreshes and retries on its own",
    async () => {
      await fresh();
      expect((await example("scrape-1688.ts", [OFFER_URL])).code).toBe(0);
      gateway.revokeAll();
      const { code, stdout } = await example("scrape-1688.ts", [OFFER_URL]);
      expect(code).toBe(0);
      expect(stdout).toContain("price: ");
      const stats = gateway.stats();
      expect(stats.authFailures).toBe(1);
      expect(stats.tokensIssued).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "survives a 'token expired' answer inside HTTP 200",
    async () => {
      await fresh();
      gateway.setFaults([{ kind: "token-expired-body", route: "/ecom/tasks/scrape", count: 1 }]);
      const { code, stdout } = await example("scrape-1688.ts", [OFFER_URL]);
      expect(code).toBe(0);
      expect(stdout).toContain("price: ");
      expect(gateway.stats().tokensIssued).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "a URL that is not a 1688 offer is exit 2 before any request, and is not echoed",
    async () => {
      await fresh();
      const bad = "https://example.com/offer/1.html?sig=SECRET-IN-QUERY";
      const { code, stdout, stderr } = await example("scrape-1688.ts", [bad]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        "error: not a 1688 offer URL: expected a 1688 offer URL like https://detail.1688.com/offer/610947572360.html (or its https://m.1688.com/offer/….html page, or the offer id alone, 610947572360)\n",
      );
      expect(gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );

  test(
    "no URL is exit 2 with what to pass",
    async () => {
      await fresh();
      const { code, stderr } = await example("scrape-1688.ts");
      expect(code).toBe(2);
      expect(stderr).toStartWith("error: missing offer URL: expected a 1688 offer URL like ");
    },
    TIMEOUT_MS,
  );

  test(
    "a client key the gateway refuses is exit 3 with the seed's message",
    async () => {
      await fresh();
      const { code, stdout, stderr } = await example("scrape-1688.ts", [OFFER_URL], {
        CLIENT_KEY: "ck-wrong-key",
      });
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toStartWith(
        "error [AUTH_SESSION_ERROR]: Auth session request failed (HTTP 401,",
      );
      expect(stderr).not.toContain("ck-wrong-key");
      expect(stderr.trim().split("\n")).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "a missing CLIENT_KEY is exit 2 with the seed's message",
    async () => {
      await fresh();
      const { code, stderr } = await example("scrape-1688.ts", [OFFER_URL], { CLIENT_KEY: "" });
      expect(code).toBe(2);
      expect(stderr).toStartWith("error [CONFIG_ERROR]: CLIENT_KEY is required");
    },
    TIMEOUT_MS,
  );

  test(
    "an unreachable gateway is exit 4 after the retries",
    async () => {
      await fresh();
      const gone = startDevGateway({ clientKeys: [CLIENT_KEY] });
      const url = gone.url;
      await gone.stop();
      const { code, stderr } = await example("scrape-1688.ts", [OFFER_URL], {
        AUTH_BASE: url,
        AUTH_TIMEOUT_MS: "2000",
      });
      expect(code).toBe(4);
      expect(stderr).toStartWith("error [AUTH_NETWORK_ERROR]: Auth session request failed:");
    },
    TIMEOUT_MS,
  );
});

describe("scrape-1688.ts command line", () => {
  test(
    "--help prints the usage on stdout, exit 0, no request",
    async () => {
      await fresh();
      for (const flag of ["--help", "-h"]) {
        const { code, stdout, stderr } = await example("scrape-1688.ts", [flag]);
        expect(code).toBe(0);
        expect(stderr).toBe("");
        expect(stdout).toStartWith("Usage: bun apps/examples/scrape-1688.ts [--json] <offer>...\n");
        expect(stdout).toContain("--json");
      }
      expect(gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );

  test(
    "several offers in one run (a detail URL, an m.1688.com URL, a bare id) share one token",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      gateway.resetStats();
      const mobile = "https://m.1688.com/offer/610947572360.html";
      const { code, stdout, stderr } = await example("scrape-1688.ts", [
        OFFER_URL,
        mobile,
        "610947572360",
      ]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const block = `offer: 610947572360\ntitle: ${offer.title}\nprice: ${offer.price.toFixed(2)} ${offer.currency}\n`;
      expect(stdout).toBe(`${block}\n${block}\n${block}`);
      const stats = gateway.stats();
      expect(stats.tokensIssued).toBe(1);
      expect(stats.requests["/ecom/tasks/scrape"]).toBe(3);
    },
    TIMEOUT_MS,
  );

  test(
    "--json prints one object per offer and line; an error is one JSON object on stderr",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      const ok = await example("scrape-1688.ts", ["--json", "610947572360", OFFER_URL]);
      expect(ok.code, ok.stderr).toBe(0);
      const lines = ok.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toEqual([
        {
          url: OFFER_URL,
          offerId: "610947572360",
          title: offer.title,
          price: offer.price,
          currency: offer.currency,
        },
        {
          url: OFFER_URL,
          offerId: "610947572360",
          title: offer.title,
          price: offer.price,
          currency: offer.currency,
        },
      ]);
      const refused = await example("scrape-1688.ts", ["--json", OFFER_URL], {
        CLIENT_KEY: "ck-wrong-key",
      });
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe("");
      const error = JSON.parse(refused.stderr) as { error: { code: string; message: string } };
      expect(error.error.code).toBe("AUTH_SESSION_ERROR");
      const bad = await example("scrape-1688.ts", ["--json", "nope"]);
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stderr).error.code).toBe("USAGE_ERROR");
    },
    TIMEOUT_MS,
  );

  test(
    "unknown options and any argument that is not an offer are errors (exit 2) before any request",
    async () => {
      await fresh();
      const unknown = await example("scrape-1688.ts", [OFFER_URL, "--jsn"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe("error: unknown option '--jsn' (see --help)\n");
      const secretish = await example("scrape-1688.ts", [OFFER_URL, "--tok=Ab3Xk9Qz"]);
      expect(secretish.code).toBe(2);
      expect(secretish.stderr).not.toContain("Ab3Xk9Qz");
      const extra = await example("scrape-1688.ts", [OFFER_URL, "extra?sig=SECRET"]);
      expect(extra.code).toBe(2);
      expect(extra.stderr).toStartWith("error: argument 2 is not a 1688 offer URL: ");
      expect(extra.stderr).not.toContain("SECRET");
      const otherHost = await example("scrape-1688.ts", [
        "https://m.1688.com.evil.example/offer/1.html",
      ]);
      expect(otherHost.code).toBe(2);
      expect(gateway.stats().requests).toEqual({});
    },
    TIMEOUT_MS,
  );
});

describe("auth-fetch.ts", () => {
  test(
    "scrapes through the fetch-compatible authFetch with the environment's config",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      const { code, stdout, stderr } = await example("auth-fetch.ts", [OFFER_URL]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toStartWith("status: 200\nbody: ");
      expect(JSON.parse(stdout.split("body: ")[1] ?? "")).toMatchObject(offer);
    },
    TIMEOUT_MS,
  );

  test(
    "reads CLIENT_KEY from ./.env when the environment has none",
    async () => {
      await fresh();
      await Bun.write(join(workDir, ".env"), `CLIENT_KEY=${CLIENT_KEY}\n`);
      const env = envFor();
      delete env.CLIENT_KEY;
      const { code, stdout } = await run([process.execPath, join(EXAMPLES, "auth-fetch.ts")], env);
      expect(code).toBe(0);
      expect(stdout).toStartWith("status: 200\n");
    },
    TIMEOUT_MS,
  );
});

describe("node-basic.mjs (needs packages/node built: bun run build)", () => {
  const node = (extra: Record<string, string> = {}) =>
    run(["node", join(EXAMPLES, "node-basic.mjs"), OFFER_URL], envFor(extra));

  test(
    "scrapes on Node.js with the same API",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      const { code, stdout, stderr } = await node();
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^token: from the network, expires in \d+ s\nstatus: 200\n/);
      expect(stdout).toEndWith(
        `title: ${offer.title}\nprice: ${offer.price.toFixed(2)} ${offer.currency}\n`,
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a Bun process and a Node process share one token through the cache file",
    async () => {
      await fresh();
      expect((await example("scrape-1688.ts", [OFFER_URL])).code).toBe(0);
      const { code, stdout } = await node();
      expect(code).toBe(0);
      expect(stdout).toStartWith("token: from the cache,");
      expect(gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "a refused client key is exit 3 with one line on stderr",
    async () => {
      await fresh();
      const { code, stdout, stderr } = await node({ CLIENT_KEY: "ck-wrong-key" });
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toStartWith(
        "error [AUTH_SESSION_ERROR]: Auth session request failed (HTTP 401,",
      );
      expect(stderr).not.toContain("ck-wrong-key");
    },
    TIMEOUT_MS,
  );
});

describe("cli.sh", () => {
  const shell = (extra: Record<string, string> = {}) =>
    run(["bash", join(EXAMPLES, "cli.sh"), OFFER_URL], envFor(extra));

  test(
    "gets a token without printing it, calls the scrape API through the CLI, shows the cache entry",
    async () => {
      await fresh();
      const offer = await expectedOffer();
      const { code, stdout, stderr } = await shell();
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const lines = stdout.split("\n");
      expect(lines[0]).toMatch(/^token: \d+ characters/);
      const body = lines.find((line) => line.startsWith("{")) ?? "";
      expect(JSON.parse(body)).toMatchObject(offer);
      expect(stdout).toMatch(/^state: +valid$/m);
      const [file] = (await readdir(cacheDir)).filter((f) => f.endsWith(".json"));
      expect(stdout).toContain(join(cacheDir, file ?? "?"));
      // The token is in the cache file, never on the screen.
      const cached = JSON.parse(await Bun.file(join(cacheDir, file ?? "?")).text());
      expect(stdout).not.toContain(cached.access_token);
      expect(gateway.stats().tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "stops with the CLI's exit code 3 when the gateway refuses the client key",
    async () => {
      await fresh();
      const { code, stdout, stderr } = await shell({ CLIENT_KEY: "ck-wrong-key" });
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toContain("Auth session request failed (HTTP 401");
      expect(stderr).not.toContain("ck-wrong-key");
    },
    TIMEOUT_MS,
  );
});

describe("client-credentials.ts", () => {
  test(
    "against an issuer found by discovery (the dev gateway's OAuth 2.0 endpoints): a token over client_credentials, then the API call",
    async () => {
      await fresh();
      const { code, stdout, stderr } = await example("client-credentials.ts", ["/echo"], {
        AUTH_GRANT: "client_credentials",
        AUTH_ISSUER: gateway.url,
        AUTH_CLIENT_ID: "dev-client",
      });
      expect(code, stderr).toBe(0);
      expect(stdout).toContain("token: from network");
      expect(stdout).toContain("status: 200");
      expect(gateway.stats().requests["/oauth/token"]).toBe(1);
      expect(gateway.stats().requests["/.well-known/oauth-authorization-server"]).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "--dev-gateway runs offline with nothing configured: its own gateway as issuer and API",
    async () => {
      await fresh();
      const env = envFor();
      for (const name of ["AUTH_BASE", "CLIENT_KEY", "AUTH_CACHE_DIR"]) delete env[name];
      const { code, stdout, stderr } = await run(
        [process.execPath, join(EXAMPLES, "client-credentials.ts"), "--dev-gateway"],
        env,
      );
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/dev gateway: http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toContain("token: from network, expires in 900 s");
      expect(stdout).toContain("status: 200");
      expect(stdout).toContain('"authorization":"Bearer [redacted]"');
    },
    TIMEOUT_MS,
  );
});

describe("bun run demo", () => {
  test(
    "runs the main job on its own gateway: exit 0, a price, the token counts",
    async () => {
      await fresh();
      // Only PATH, HOME and TMPDIR: the demo needs no configuration and no network.
      const env = envFor();
      for (const name of ["AUTH_BASE", "CLIENT_KEY", "AUTH_CACHE_DIR"]) delete env[name];
      const { code, stdout, stderr } = await run([process.execPath, "run", "demo"], env, REPO);
      expect(code).toBe(0);
      expect(stderr).not.toContain("error");
      expect(stdout).toMatch(/1\. token +fetched from the network in [\d.]+ ms/);
      expect(stdout).toMatch(/from the cache file token_[0-9a-f]{32}\.json in [\d.]+ ms/);
      expect(stdout).toMatch(/3\. scrape .*: price \d+\.\d{2} CNY/);
      expect(stdout).toMatch(/4\. revoke .*retried on its own: price \d+\.\d{2} CNY/);
      expect(stdout).toContain("token requests: 3 (1 at start + 1 per refusal)");
      expect(stdout.trimEnd()).toEndWith("ok");
    },
    TIMEOUT_MS,
  );
});
