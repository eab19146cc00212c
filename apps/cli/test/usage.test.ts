/** The command line itself: help, version, usage errors with hints, and `bun apps/cli` from the repo root. */
import { describe, expect, test } from "bun:test";
import pkg from "../package.json" with { type: "json" };
import { COMMANDS } from "../src/spec.ts";
import { CLI_DIR, expectErrorLine, REPO, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

describe("help and version", () => {
  test(
    "every command has help with a usage line and an example, as `help X` and `X --help`",
    async () => {
      for (const { name } of COMMANDS) {
        const viaHelp = await fx.run(["help", name]);
        expect(viaHelp.code).toBe(0);
        expect(viaHelp.stderr).toBe("");
        expect(viaHelp.stdout).toContain(`Usage: openclaw-auth ${name}`);
        expect(viaHelp.stdout).toMatch(/\nExamples:\n {2}\S/);
        const viaFlag = await fx.run([name, "--help"]);
        expect(viaFlag.stdout).toBe(viaHelp.stdout);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "--help lists every command and the exit codes; no command at all is a usage error",
    async () => {
      const help = await fx.run(["--help"]);
      expect(help.code).toBe(0);
      for (const { name } of COMMANDS) expect(help.stdout).toContain(`  ${name} `);
      expect(help.stdout).toContain("2 usage or config error, 3 auth error, 4 network error");
      const none = await fx.run([]);
      expect(none.code).toBe(2);
      expect(none.stdout).toBe("");
      expect(none.stderr).toContain("Usage: openclaw-auth <command>");
    },
    TIMEOUT_MS,
  );

  test(
    "`bun apps/cli --version` from the repo root prints the package version",
    async () => {
      const run = await fx.run(["--version"], { cmd: [process.execPath, "apps/cli"], cwd: REPO });
      expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
      expect((await fx.run(["-V"])).stdout).toBe(`${pkg.version}\n`);
    },
    TIMEOUT_MS,
  );

  test(
    "`bun apps/cli token` from the repo root works (env and --env-file given explicitly)",
    async () => {
      const empty = `${fx.dir}/empty.env`;
      await Bun.write(empty, "");
      const run = await fx.run(["token", "--env-file", empty], {
        cmd: [process.execPath, "apps/cli"],
        cwd: REPO,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^eyJ/);
    },
    TIMEOUT_MS,
  );
});

describe("usage errors: exit 2, one USAGE_ERROR line with a hint, nothing on stdout", () => {
  const cases: [string, string[], RegExp][] = [
    ["a misspelt command", ["tokn"], /unknown command 'tokn'; did you mean 'token'\?/],
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate' \(commands: token, /],
    [
      "a misspelt option",
      ["token", "--jsn"],
      /unknown option '--jsn' for 'token'; did you mean '--json'\?/,
    ],
    ["another command's option", ["status", "--data", "x"], /'--data' is an option of 'request'/],
    ["a misspelt global option", ["token", "--dryrun"], /did you mean '--dry-run'\?/],
    ["a value for a flag", ["token", "--json=yes"], /option '--json' takes no value/],
    ["an argument too many", ["status", "extra"], /'status' takes no arguments/],
    ["a missing argument", ["request", "GET"], /'request' needs URL/],
    ["help for an unknown command", ["help", "statsu"], /did you mean 'status'\?/],
    ["a bad --port", ["dev-gateway", "--port", "http"], /--port must be a number/],
    ["a bad --ttl", ["dev-gateway", "--ttl", "0"], /--ttl must be a number of seconds > 0/],
  ];
  for (const [what, args, message] of cases) {
    test(
      what,
      async () => {
        const run = await fx.run(args);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expectErrorLine(run, "USAGE_ERROR");
        expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
        expect(run.stderr).toMatch(message);
        expect(run.stderr).not.toContain("\x1b[");
      },
      TIMEOUT_MS,
    );
  }

  test(
    "an argument that could be a secret is not repeated",
    async () => {
      const run = await fx.run(["token", "s3cr3t value/with:stuff"]);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toContain("s3cr3t");
    },
    TIMEOUT_MS,
  );
});

describe("unknown options", () => {
  test(
    "an unknown option is named wherever it stands: before the command (taking no value), after it, or alone",
    async () => {
      const cases: [string[], string][] = [
        // The URL after --bse is not mistaken for a command name.
        [
          ["--bse", "http://127.0.0.1:1", "token"],
          "unknown option '--bse'; did you mean '--base'?",
        ],
        [["--bse", "token"], "unknown option '--bse' for 'token'; did you mean '--base'?"],
        [["token", "--refrsh"], "unknown option '--refrsh' for 'token'; did you mean '--refresh'?"],
        [["--bse"], "unknown option '--bse'; did you mean '--base'?"],
        [["--bse=http://x", "status"], "unknown option '--bse'"],
      ];
      for (const [args, message] of cases) {
        const run = await fx.run(args);
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stderr, args.join(" ")).toContain(message);
        expect(run.stderr).not.toContain("unknown command");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "an unknown option that could be a secret is described, not repeated, before the command too",
    async () => {
      const run = await fx.run(["--Ab3Xk9Qz", "http://127.0.0.1:1", "token"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("unknown option (not repeated: it may be a secret");
      expect(run.stderr).not.toContain("Ab3Xk9Qz");
    },
    TIMEOUT_MS,
  );
});

describe("help lists the configuration", () => {
  test(
    "--help names AUTH_MAX_TTL_SEC and AUTH_REDIS_URL with the other variables, and --json",
    async () => {
      const help = await fx.run(["--help"]);
      for (const name of ["AUTH_BASE", "CLIENT_KEY", "AUTH_MAX_TTL_SEC", "AUTH_REDIS_URL"]) {
        expect(help.stdout).toContain(name);
      }
      expect(help.stdout).toContain("--json");
      const dev = await fx.run(["help", "dev-gateway"]);
      for (const flag of ["--host H", "--session-path P", "--admin"]) {
        expect(dev.stdout).toContain(flag);
      }
    },
    TIMEOUT_MS,
  );
});

describe("colour", () => {
  const script = Bun.which("script");

  test.skipIf(!script)(
    "only on a terminal, and never with NO_COLOR",
    async () => {
      // script(1) runs the CLI on a pseudo-terminal.
      const onTerminal = (noColor: string) =>
        fx.run(["-qec", `${process.execPath} ${CLI_DIR} tokn`, "/dev/null"], {
          cmd: [script as string],
          env: { NO_COLOR: noColor },
        });
      const colour = await onTerminal("");
      expect(colour.stdout).toContain("\x1b[31mUSAGE_ERROR\x1b[0m");
      const plain = await onTerminal("1");
      expect(plain.stdout).toContain("openclaw-auth: USAGE_ERROR: unknown command 'tokn'");
      expect(plain.stdout).not.toContain("\x1b[");
      const piped = await fx.run(["tokn"]);
      expect(piped.stderr).not.toContain("\x1b[");
    },
    TIMEOUT_MS,
  );
});
