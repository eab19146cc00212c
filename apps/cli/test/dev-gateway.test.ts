/** `dev-gateway`: runs in the foreground, prints its URL line, serves tokens, stops on SIGINT/SIGTERM. */
import { describe, expect, test } from "bun:test";
import { CLI_DIR, CLIENT_KEY, expectNoLeak, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** Starts `openclaw-auth dev-gateway …` and waits for its URL line. */
async function startCliGateway(args: string[]) {
  const child = Bun.spawn([process.execPath, CLI_DIR, "dev-gateway", ...args], {
    cwd: fx.dir,
    env: fx.env(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  let stdout = "";
  while (!stdout.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += new TextDecoder().decode(value);
  }
  const url = /^dev gateway listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout)?.[1];
  const finish = async () => {
    const readRest = async () => {
      let rest = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        rest += new TextDecoder().decode(chunk.value);
      }
      return rest;
    };
    const [rest, stderr, code] = await Promise.all([
      readRest(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout: stdout + rest, stderr };
  };
  return { child, url, stdout, finish };
}

describe("dev-gateway", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(
      `prints one URL line, issues tokens for --client-key, and exits 0 on ${signal}`,
      async () => {
        const gw = await startCliGateway([
          "--port",
          "0",
          "--ttl",
          "120",
          "--client-key",
          CLIENT_KEY,
        ]);
        try {
          expect(gw.url, gw.stdout).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
          const token = await fx.run(["token", "--json"], { env: { AUTH_BASE: gw.url } });
          expect(token.code, token.stderr).toBe(0);
          const json = JSON.parse(token.stdout);
          expect(json.source).toBe("network");
          expect(json.expiresIn).toBeLessThanOrEqual(120);
          const health = await fetch(`${gw.url}/health`);
          expect(await health.json()).toEqual({ ok: true });
        } finally {
          gw.child.kill(signal);
        }
        const result = await gw.finish();
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`dev gateway listening on ${gw.url}\n`);
        await expectNoLeak(result, ["dev-gateway"], await fx.cachedTokens());
      },
      TIMEOUT_MS,
    );
  }

  test(
    "--host, --session-path and --admin reach the gateway: tokens on that path, the admin API on",
    async () => {
      const gw = await startCliGateway([
        "--host",
        "127.0.0.1",
        "--session-path",
        "/v2/session",
        "--admin",
        "--client-key",
        CLIENT_KEY,
      ]);
      try {
        expect(gw.url, gw.stdout).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
        const token = await fx.run(["token", "--json"], {
          env: { AUTH_BASE: gw.url, AUTH_SESSION_PATH: "/v2/session" },
        });
        expect(token.code, token.stderr).toBe(0);
        const stats = await fetch(`${gw.url}/__admin/stats`);
        expect(stats.status).toBe(200);
        expect(((await stats.json()) as { tokensIssued: number }).tokensIssued).toBe(1);
        const oldPath = await fx.run(["token", "--refresh"], { env: { AUTH_BASE: gw.url } });
        expect(oldPath.code).toBe(3);
      } finally {
        gw.child.kill("SIGTERM");
      }
      expect((await gw.finish()).code).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "--dry-run starts nothing",
    async () => {
      const run = await fx.run(["dev-gateway", "--dry-run", "--port", "0"]);
      expect(run).toMatchObject({ code: 0, stdout: "" });
      expect(run.stderr).toContain("dry run: would start the dev gateway");
    },
    TIMEOUT_MS,
  );

  test(
    "bound to 0.0.0.0, both hints it prints work as written: the session grant and OAuth 2.0 client_credentials",
    async () => {
      const gw = await startCliGateway(["--host", "0.0.0.0", "--client-key", CLIENT_KEY]);
      const stderrReader = gw.child.stderr.getReader();
      let stderr = "";
      while (!stderr.includes("OAuth")) {
        const { value, done } = await stderrReader.read();
        if (done) break;
        stderr += new TextDecoder().decode(value);
      }
      try {
        /** The NAME=value words of the hint line that starts with `prefix`. */
        const hint = (prefix: string) => {
          const line = stderr.split("\n").find((l) => l.includes(prefix)) ?? "";
          return Object.fromEntries(
            [...line.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]] as const),
          );
        };
        const session = hint("try:");
        expect(session.AUTH_BASE).toBe(gw.url as string);
        const token = await fx.run(["token", "--json"], {
          env: { AUTH_BASE: session.AUTH_BASE, CLIENT_KEY },
        });
        expect(token.code, token.stderr).toBe(0);
        const oauth = hint("OAuth");
        const viaOAuth = await fx.run(["request", "GET", "/echo"], {
          env: { ...oauth, AUTH_BASE: session.AUTH_BASE, CLIENT_KEY },
        });
        expect(viaOAuth.code, viaOAuth.stderr).toBe(0);
        expect(JSON.parse(viaOAuth.stdout).method).toBe("GET");
      } finally {
        gw.child.kill("SIGTERM");
        stderrReader.releaseLock();
      }
      expect(await gw.child.exited).toBe(0);
    },
    TIMEOUT_MS,
  );
});
