/**
 * The key and tokens on every output path of the CLI: usage errors that would repeat an
 * argument, `--include` headers and bodies that echo the token, and error messages of every
 * command, checked for every form an echo produces (raw, JSON-escaped, percent, base64).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CLIENT_KEY,
  expectErrorLine,
  holdsSecret,
  type Run,
  TIMEOUT_MS,
  useFixture,
} from "./helpers.ts";

const fx = useFixture();

function expectNoForm(run: Run, secret: string): void {
  expect(holdsSecret(run.stdout, secret), run.stdout).toBe(false);
  expect(holdsSecret(run.stderr, secret), run.stderr).toBe(false);
}

/** Runs `args` with the key in the environment, only in ./.env, and nowhere the CLI can see. */
async function everyWayTheKeyIsKnown(args: string[]): Promise<Run[]> {
  await writeFile(join(fx.dir, ".env"), `CLIENT_KEY=${CLIENT_KEY}\n`);
  const fromDotEnv = await fx.run(args, { env: { CLIENT_KEY: undefined } });
  const inEnv = await fx.run(args, { cwd: join(fx.dir, "..") });
  const unknown = await fx.run(args, { env: { CLIENT_KEY: undefined }, cwd: join(fx.dir, "..") });
  return [inEnv, fromDotEnv, unknown];
}

describe("usage errors never repeat the key", () => {
  const cases: [string, string[]][] = [
    ["`openclaw-auth <key>` (an unknown command)", [CLIENT_KEY]],
    ["`openclaw-auth help <key>`", ["help", CLIENT_KEY]],
    ["`openclaw-auth status <key>` (an argument too many)", ["status", CLIENT_KEY]],
    ["`openclaw-auth token --<key>` (an unknown option)", ["token", `--${CLIENT_KEY}`]],
    ["`--env-file /nope/<key>`", ["token", "--env-file", `/nope/${CLIENT_KEY}`]],
    ["`--data @/nope/<key>`", ["request", "POST", "/echo", "--data", `@/nope/${CLIENT_KEY}`]],
    [
      "`--header '<key>: <bad value>'`",
      ["request", "GET", "/echo", "--header", `${CLIENT_KEY}: a\nb`],
    ],
  ];
  for (const [what, args] of cases) {
    test(
      `${what} exits 2 and prints no form of the key, wherever the key comes from`,
      async () => {
        for (const run of await everyWayTheKeyIsKnown(args)) {
          expect(run.code, run.stderr).toBe(2);
          expect(run.stderr).not.toBe("");
          expectNoForm(run, CLIENT_KEY);
        }
      },
      TIMEOUT_MS,
    );
  }

  test(
    "a key written in the --env-file, quoted and commented, is redacted from a usage error",
    async () => {
      const envFile = join(fx.dir, "quoted.env");
      await writeFile(envFile, `# keys\nexport CLIENT_KEY = "${CLIENT_KEY}"  # prod\n`);
      const run = await fx.run(["--env-file", envFile, "token", `--${CLIENT_KEY}x`], {
        env: { CLIENT_KEY: undefined },
      });
      expect(run.code).toBe(2);
      expectNoForm(run, CLIENT_KEY);
    },
    TIMEOUT_MS,
  );
});

/**
 * A gateway on 127.0.0.1 that issues TOKEN and echoes, on its API routes, the Authorization it
 * received: in headers (raw, base64) and in the body (JSON-escaped).
 */
const TOKEN = `tok-HOSTILE-${crypto.randomUUID()}`;
let echoing: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  echoing = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      if (url.pathname === "/auth/session") {
        if (url.searchParams.has("refuse") || body.includes("refuse"))
          return new Response("", { status: 500 });
        return Response.json({ accessToken: TOKEN, expiresIn: 900 });
      }
      if (url.pathname === "/refuse/auth/session") {
        return new Response(JSON.stringify({ error: "bad key", got: body, b64: btoa(body) }), {
          status: 401,
          headers: { "content-type": "application/json" },
        });
      }
      const auth = request.headers.get("authorization") ?? "";
      return new Response(JSON.stringify({ seen: auth, b64: btoa(auth) }), {
        status: url.pathname === "/fail" ? 500 : 200,
        headers: {
          "content-type": "application/json",
          "x-echo-authorization": auth,
          "x-echo-b64": btoa(auth.replace(/^Bearer /, "")),
          "x-echo-url": encodeURIComponent(auth),
        },
      });
    },
  });
});
afterAll(() => echoing?.stop(true));

const echoingBase = () => `http://127.0.0.1:${echoing?.port}`;

describe("request --include against an API that echoes the token", () => {
  test(
    "headers echoing the token (raw, base64, percent-encoded) are printed redacted",
    async () => {
      const run = await fx.run(["request", "GET", "/echo", "--include"], {
        env: { AUTH_BASE: echoingBase() },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("x-echo-authorization: Bearer [redacted]");
      expect(run.stderr).toContain("x-echo-b64: [redacted]");
      expectNoForm(run, TOKEN);
      expectNoForm(run, CLIENT_KEY);
    },
    TIMEOUT_MS,
  );

  test(
    "a body echoing the token is printed redacted, also on a failed request",
    async () => {
      const run = await fx.run(["request", "GET", "/fail", "-i"], {
        env: { AUTH_BASE: echoingBase() },
      });
      expect(run.code).toBe(1);
      expectErrorLine(run, "HTTP_ERROR");
      expect(JSON.parse(run.stdout).seen).toBe("Bearer [redacted]");
      expectNoForm(run, TOKEN);
    },
    TIMEOUT_MS,
  );
});

describe("error messages of every command hold no form of the key", () => {
  for (const args of [["token"], ["token", "--refresh"], ["request", "GET", "/x"]]) {
    test(
      `\`${args.join(" ")}\` against a token endpoint that echoes the key JSON-escaped and base64'd`,
      async () => {
        const run = await fx.run(args, {
          env: { AUTH_BASE: echoingBase(), AUTH_SESSION_PATH: "/refuse/auth/session" },
        });
        expect(run.code, run.stderr).toBe(3);
        expect(run.stderr).toContain("[redacted]");
        expectNoForm(run, CLIENT_KEY);
      },
      TIMEOUT_MS,
    );
  }
});
