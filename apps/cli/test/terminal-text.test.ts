/**
 * Remote text reaches a terminal without control characters: a gateway's error body, an OAuth
 * error description, a failed request's line and doctor's report show ESC, BEL, CR, DEL and the
 * C1 codes as `\xNN`; a response body is data, raw into a pipe and escaped on a terminal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { oneLine } from "../src/display.ts";
import { CLI_DIR, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** Retitles the window (OSC 0 … BEL), clears the screen (CSI 2J, and its 8-bit C1 form), rings, overwrites the line (CR), NUL, DEL. */
const EVIL = "A\x1b]0;pwned\x07B\x1b[2JC\u009b2JD\x07E\rF\x00G\x7fH";
const TOKEN = `tok-terminal-${crypto.randomUUID()}`;

let hostile: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  hostile = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/auth/session") return new Response(`denied ${EVIL}`, { status: 401 });
      if (pathname === "/ok/auth/session")
        return Response.json({ accessToken: TOKEN, expiresIn: 900 });
      if (pathname === "/oauth/token") {
        return Response.json(
          { error: "invalid_client", error_description: `bad ${EVIL}` },
          { status: 401 },
        );
      }
      return new Response(`body ${EVIL}\n`, { status: pathname === "/fail" ? 500 : 200 });
    },
  });
});
afterAll(() => hostile?.stop(true));

const hostileBase = () => `http://127.0.0.1:${hostile?.port}`;

/** The control characters in `text` but line feeds (and CR before LF, where `allowCrLf`). */
function controlsIn(text: string, allowCrLf = false): string[] {
  const found = text.match(allowCrLf ? /(?![\n]|\r\n)\p{Cc}/gu : /(?!\n)\p{Cc}/gu) ?? [];
  return found.map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** EVIL as the CLI shows it on one line: each control escaped, the CR a space. */
const SHOWN = "A\\x1b]0;pwned\\x07B\\x1b[2JC\\x9b2JD\\x07E";

describe("error lines quote remote text without its control characters", () => {
  test(
    "a gateway's error body (session grant): escaped in the error line and in --json",
    async () => {
      const run = await fx.run(["token"], { env: { AUTH_BASE: hostileBase() } });
      expect(run.code, run.stderr).toBe(3);
      expect(controlsIn(run.stderr), run.stderr).toEqual([]);
      expect(run.stderr).toContain(SHOWN);

      const json = await fx.run(["token", "--json"], { env: { AUTH_BASE: hostileBase() } });
      expect(json.code).toBe(3);
      expect(controlsIn(json.stderr), json.stderr).toEqual([]);
      const { error } = JSON.parse(json.stderr) as { error: { message: string } };
      // What a script reads out of the JSON is as safe to print as the line itself.
      expect(controlsIn(error.message)).toEqual([]);
      expect(error.message).toContain(SHOWN);
    },
    TIMEOUT_MS,
  );

  test(
    "an OAuth error description (client_credentials) is escaped in the error line",
    async () => {
      const run = await fx.run(["token"], {
        env: {
          AUTH_BASE: hostileBase(),
          AUTH_GRANT: "client_credentials",
          AUTH_CLIENT_ID: "svc",
          AUTH_TOKEN_URL: "/oauth/token",
        },
      });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain("invalid_client");
      expect(controlsIn(run.stderr), run.stderr).toEqual([]);
      expect(run.stderr).toContain(SHOWN);
    },
    TIMEOUT_MS,
  );

  test(
    "doctor's gateway check quotes the refusal escaped, in text and --json",
    async () => {
      for (const args of [["doctor"], ["doctor", "--json"]]) {
        const run = await fx.run(args, { env: { AUTH_BASE: hostileBase() } });
        expect(run.code, run.stdout).toBe(3);
        expect(controlsIn(run.stdout), run.stdout).toEqual([]);
        expect(run.stdout).toContain(
          args.length === 1 ? SHOWN : JSON.stringify(SHOWN).slice(1, -1),
        );
      }
    },
    TIMEOUT_MS,
  );
});

describe("request: the body is data, the messages are not", () => {
  const env = () => ({ AUTH_BASE: hostileBase(), AUTH_SESSION_PATH: "/ok/auth/session" });

  test(
    "into a pipe the body is exactly what came; the error line and --include headers are clean",
    async () => {
      const run = await fx.run(["request", "GET", "/fail", "--include"], { env: env() });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toBe(`body ${EVIL}\n`);
      expect(controlsIn(run.stderr), run.stderr).toEqual([]);
      expect(run.stderr).toContain("openclaw-auth: HTTP_ERROR: HTTP 500");
    },
    TIMEOUT_MS,
  );

  test.skipIf(!Bun.which("script"))(
    "on a terminal (a pseudo-terminal, through script(1)) the body is shown escaped",
    async () => {
      // script runs the CLI on a pty: stdout and stderr are both the terminal. NO_COLOR: every
      // escape sequence in the output would be the gateway's.
      const command = [process.execPath, CLI_DIR, "request", "GET", "/fail"]
        .map((word) => `'${word}'`)
        .join(" ");
      const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
        cwd: fx.dir,
        env: fx.env({ ...env(), NO_COLOR: "1", TERM: "xterm" }),
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      expect(code, out).toBe(1);
      // The terminal's own line ends are CRLF (the pty's onlcr); the body's CR is escaped.
      expect(controlsIn(out, true), out).toEqual([]);
      expect(out).toContain(
        "body A\\x1b]0;pwned\\x07B\\x1b[2JC\\x9b2JD\\x07E\\x0dF\\x00G\\x7fH\r\n",
      );
      expect(out).toContain("openclaw-auth: HTTP_ERROR: HTTP 500");
    },
    TIMEOUT_MS,
  );
});

test("a message's line breaks (CRLF, or a run of them) become one space between its words", () => {
  expect(oneLine("denied\r\nretry\n\n\rlater")).toBe("denied retry later");
});

/** The CLI with `args` on a pseudo-terminal (script(1)) with `env`: what the terminal got. */
async function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, CLI_DIR, ...args].map((word) => `'${word}'`).join(" ");
  const child = Bun.spawn(["script", "-qfec", command, "/dev/null"], {
    cwd: fx.dir,
    env: fx.env(env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return out;
}

test.skipIf(!Bun.which("script"))(
  "on a terminal an error code is red and 'warning' yellow, but not with TERM=dumb",
  async () => {
    const error = "openclaw-auth: \x1b[31mUSAGE_ERROR\x1b[0m: unknown command";
    expect(await onTerminal(["frobnicate"], { TERM: "xterm" })).toContain(error);
    // A misspelt variable: clear warns about it.
    const warning = "openclaw-auth: \x1b[33mwarning\x1b[0m: ignoring unknown variable";
    expect(await onTerminal(["clear"], { TERM: "xterm", AUTH_BSAE: "x" })).toContain(warning);
    const dumb = await onTerminal(["frobnicate"], { TERM: "dumb" });
    expect(dumb).toContain("openclaw-auth: USAGE_ERROR: unknown command");
    expect(dumb).not.toContain("\x1b");
  },
  TIMEOUT_MS,
);
