/**
 * The CLI against a hostile OAuth token endpoint on 127.0.0.1: a PEM key it echoes never reaches
 * stderr (plain, --json or --verbose), and a key the runtime cannot sign with ends the CLI as a
 * config error (exit 2) before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { expectErrorLine, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fixture = useFixture();

/** The key as a user may keep it: PKCS#8 PEM, CRLF line ends. */
const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ format: "pem", type: "pkcs8" })
  .toString();
const LINES = PEM.split("\n");
const BODY = LINES.filter((line) => line !== "" && !line.startsWith("-----")).join("");
/** An echo of the key in three layouts at once: one line, the body on one line, the whole PEM. */
const ECHO = `refused key ${LINES[2]} body ${BODY} pem ${PEM}`;

/** True when `text`, line breaks and escapes taken out, holds 24 characters of the key's body. */
function leaksKey(text: string): boolean {
  const compact = text.replace(/\s|\\[rn]/g, "");
  for (let at = 0; at + 24 <= BODY.length; at += 8) {
    if (compact.includes(BODY.slice(at, at + 24))) return true;
  }
  return false;
}

let server: ReturnType<typeof Bun.serve>;
const seen: string[] = [];

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      if (new URL(request.url).pathname === "/auth/session") {
        return Response.json({ code: 401, msg: ECHO }, { status: 401 });
      }
      return Response.json({ error: "invalid_client", error_description: ECHO }, { status: 401 });
    },
  });
});
afterAll(() => server.stop(true));

const env = (more: Record<string, string>) => ({
  AUTH_BASE: `http://127.0.0.1:${server.port}`,
  CLIENT_KEY: PEM.replaceAll("\n", "\r\n"),
  ...more,
});
const oauth = (clientAuth: string) => ({
  AUTH_GRANT: "client_credentials",
  AUTH_TOKEN_URL: "/token",
  AUTH_CLIENT_ID: "svc-cli",
  AUTH_CLIENT_AUTH: clientAuth,
});

describe("openclaw-auth against a hostile OAuth token endpoint", () => {
  for (const [grant, more] of [
    ["session", {}],
    ["client_secret_basic", oauth("client_secret_basic")],
    ["private_key_jwt", oauth("private_key_jwt")],
  ] as const) {
    test(
      `${grant}: a PEM key the server echoes (a line, the body, the whole PEM) never reaches stderr`,
      async () => {
        for (const args of [["token"], ["token", "--json"], ["token", "--verbose"]]) {
          const run = await fixture.run(args, { env: env(more) });
          expect(run.code, run.stderr).toBe(3);
          expect(leaksKey(run.stderr), run.stderr).toBe(false);
          expect(leaksKey(run.stdout), run.stdout).toBe(false);
        }
      },
      TIMEOUT_MS,
    );
  }

  test(
    "private_key_jwt with a P-384 key: a config error (exit 2) at once, nothing sent",
    async () => {
      const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" })
        .privateKey.export({ format: "pem", type: "pkcs8" })
        .toString();
      seen.length = 0;
      const run = await fixture.run(["token"], {
        env: env({ ...oauth("private_key_jwt"), CLIENT_KEY: p384 }),
      });
      expect(run.code, run.stderr).toBe(2);
      expectErrorLine(run, "CONFIG_ERROR");
      expect(run.stderr).toContain("CLIENT_KEY");
      expect(run.stderr).not.toContain(p384.split("\n")[1] ?? "none");
      expect(seen).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
