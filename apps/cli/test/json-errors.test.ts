/** `--json`: errors as one JSON object on stderr, redacted, with the same exit codes. */
import { describe, expect, test } from "bun:test";
import { CLIENT_KEY, closedPortUrl, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

interface ErrorJson {
  error: { code: string; message: string };
}

/** stderr as exactly one JSON line of the error form. */
function errorOf(stderr: string): ErrorJson["error"] {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  const parsed = JSON.parse(lines[0] as string) as ErrorJson;
  expect(Object.keys(parsed)).toEqual(["error"]);
  expect(Object.keys(parsed.error)).toEqual(["code", "message"]);
  return parsed.error;
}

describe("--json errors", () => {
  test(
    "a usage error, wherever --json stands, is {error:{code,message}} on stderr with exit 2",
    async () => {
      for (const args of [
        ["--json", "tokn"],
        ["request", "FOO", "/echo", "--json"],
        ["--json", "--bse", "token"],
        ["--json"],
      ]) {
        const run = await fx.run(args);
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stdout).toBe("");
        expect(errorOf(run.stderr).code).toBe("USAGE_ERROR");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a refused key (exit 3), no answer (exit 4) and a non-2xx answer (exit 1) keep their exit codes",
    async () => {
      const refused = await fx.run(["token", "--json"], { env: { CLIENT_KEY: "ck-wrong-key-9" } });
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe("");
      expect(errorOf(refused.stderr).code).toBe("AUTH_SESSION_ERROR");

      const unreachable = await fx.run(["--json", "request", "GET", "/echo"], {
        env: { AUTH_BASE: await closedPortUrl(), AUTH_TIMEOUT_MS: "2000" },
      });
      expect(unreachable.code).toBe(4);
      expect(errorOf(unreachable.stderr).code).toBe("AUTH_NETWORK_ERROR");

      const missing = await fx.run(["request", "GET", "/nope", "--json"]);
      expect(missing.code).toBe(1);
      expect(errorOf(missing.stderr)).toMatchObject({ code: "HTTP_ERROR" });
    },
    TIMEOUT_MS,
  );

  test(
    "token --refresh --json whose refresh fails prints nothing on stdout and one JSON error: exit 3",
    async () => {
      expect((await fx.run(["token"])).code).toBe(0);
      fx.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
      const run = await fx.run(["token", "--refresh", "--json"], {
        env: { AUTH_TIMEOUT_MS: "2000" },
      });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe("");
      expect(errorOf(run.stderr).code).toBe("AUTH_SESSION_ERROR");
    },
    TIMEOUT_MS,
  );

  test(
    "the client key is redacted inside the JSON, which stays valid",
    async () => {
      // An --env-file path that is the key itself: the message must not carry it.
      const run = await fx.run(["--json", "token", "--env-file", `/nope/${CLIENT_KEY}`]);
      expect(run.code).toBe(2);
      const error = errorOf(run.stderr);
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).not.toContain(CLIENT_KEY);
    },
    TIMEOUT_MS,
  );
});
