/**
 * What output.ts promises about the CLI's messages, end to end: --quiet hides notes and
 * warnings (not errors), each line's exact `openclaw-auth: …` form, --json read only before
 * `--`, which values count as secrets, an unexpected error's line and exit code, and what is
 * written when the redaction cannot be loaded or there is nothing to write.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, openSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLI_DIR, REPO, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** A misspelt variable: loading the configuration warns about it. */
const TYPO = { AUTH_BSAE: "x" };

describe("notes and warnings", () => {
  test(
    "a warning and a note are one line each, `openclaw-auth: warning: …` and `openclaw-auth: …`",
    async () => {
      const run = await fx.run(["clear"], { env: TYPO });
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toStartWith(
        "openclaw-auth: warning: ignoring unknown variable: AUTH_BSAE in the environment",
      );
      expect(lines[1]).toStartWith("openclaw-auth: no cached token at ");
    },
    TIMEOUT_MS,
  );

  test(
    "--quiet hides notes and warnings, in text and with --json; errors are still printed",
    async () => {
      for (const args of [
        ["clear", "--quiet"],
        ["clear", "--quiet", "--json"],
      ]) {
        const run = await fx.run(args, { env: TYPO });
        expect(run.code, args.join(" ")).toBe(0);
        expect(run.stderr, args.join(" ")).toBe("");
      }
      const error = await fx.run(["frobnicate", "--quiet"]);
      expect(error.code).toBe(2);
      expect(error.stderr).toStartWith("openclaw-auth: USAGE_ERROR: unknown command 'frobnicate'");
    },
    TIMEOUT_MS,
  );
});

test(
  "--json after `--` is an argument, not the option: the usage error stays a plain line",
  async () => {
    const run = await fx.run(["token", "--", "--json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toStartWith("openclaw-auth: USAGE_ERROR: unexpected argument");
  },
  TIMEOUT_MS,
);

describe("which values are secrets", () => {
  test(
    "a client key of 4 characters is redacted from messages",
    async () => {
      const run = await fx.run(["zqxj"], { env: { CLIENT_KEY: "zqxj" } });
      expect(run.code).toBe(2);
      expect(run.stderr).toStartWith("openclaw-auth: USAGE_ERROR: unknown command '[redacted]'");
      expect(run.stderr).not.toContain("zqxj");
    },
    TIMEOUT_MS,
  );

  test(
    "a client key of 3 characters redacts no ordinary word of a message",
    async () => {
      const run = await fx.run(["frobnicate"], { env: { CLIENT_KEY: "oke" } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("(commands: token, request, status,");
      expect(run.stderr).not.toContain("[redacted]");
    },
    TIMEOUT_MS,
  );
});

/** Runs a script that uses output.ts directly, in a child as the CLI runs. */
async function runScript(body: string, stderr: "pipe" | number = "pipe") {
  const path = join(fx.dir, "script.ts");
  const output = JSON.stringify(join(CLI_DIR, "src/output.ts"));
  await writeFile(path, `import * as output from ${output};\n${body}\n`);
  const child = Bun.spawn([process.execPath, path], {
    cwd: fx.dir,
    env: fx.env({ CLIENT_KEY: undefined }),
    stdin: "ignore",
    stdout: "pipe",
    stderr,
  });
  const [err, code] = await Promise.all([
    stderr === "pipe" ? new Response(child.stderr as ReadableStream).text() : "",
    child.exited,
  ]);
  return { code, stderr: err };
}

test(
  "an unexpected error is one INTERNAL_ERROR line with its name and message, and exits 1",
  async () => {
    const run = await runScript(
      'process.exitCode = output.reportError(new TypeError("boom"));\nawait output.flushOutput();',
    );
    expect(run).toEqual({ code: 1, stderr: "openclaw-auth: INTERNAL_ERROR: TypeError: boom\n" });
  },
  TIMEOUT_MS,
);

test(
  "until the command line is read, messages are plain lines and none is hidden",
  async () => {
    const run = await runScript(
      'output.note("starting");\noutput.warn("careful");\nawait output.flushOutput();',
    );
    expect(run).toEqual({
      code: 0,
      stderr: "openclaw-auth: starting\nopenclaw-auth: warning: careful\n",
    });
  },
  TIMEOUT_MS,
);

test(
  "writing nothing leaves the file stderr is appended to as it was (Bun.write of '' truncates)",
  async () => {
    const log = join(fx.dir, "log.txt");
    await writeFile(log, "an earlier line\n");
    const fd = openSync(log, "a");
    try {
      const run = await runScript('output.writeErr("");\nawait output.flushOutput();', fd);
      expect(run.code).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(await readFile(log, "utf8")).toBe("an earlier line\n");
  },
  TIMEOUT_MS,
);

test(
  "with the redaction missing (a broken install), a message is withheld, not printed unredacted",
  async () => {
    // A copy of the CLI whose runtime package lacks its adapter (where redaction lives).
    const cli = join(fx.dir, "cli");
    await cp(join(CLI_DIR, "src"), join(cli, "src"), { recursive: true });
    await cp(join(CLI_DIR, "package.json"), join(cli, "package.json"));
    const runtime = join(cli, "node_modules/@openclaw/auth-runtime");
    await mkdir(runtime, { recursive: true });
    const entries = {
      ".": "index",
      "./adapter": "adapter",
      "./cache": "cache",
      "./config": "config",
    };
    const exports = Object.fromEntries(
      Object.entries(entries).map(([name, file]) => [name, `./${file}.ts`]),
    );
    await writeFile(join(runtime, "package.json"), JSON.stringify({ type: "module", exports }));
    const sources = { index: "index.ts", cache: "cache/cache-file.ts", config: "config.ts" };
    for (const [file, source] of Object.entries(sources)) {
      const real = JSON.stringify(join(REPO, "packages/core/src", source));
      await writeFile(join(runtime, `${file}.ts`), `export * from ${real};\n`);
    }
    const run = await fx.run(["frobnicate"], { cmd: [process.execPath, cli] });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "openclaw-auth: a message was withheld: the redaction of secrets cannot be loaded\n",
    );
  },
  TIMEOUT_MS,
);
