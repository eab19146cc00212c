/**
 * `--json` prints one JSON object on stdout per command, of the shape docs/cli.md documents as a
 * JSON Schema: each command's output in its cases (fresh and cached, dry run, failures that
 * still have a result) conforms, and every property a schema names is printed in some case, so
 * neither the docs nor the code can change a shape alone.
 */
import { describe, expect, test } from "bun:test";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { CLI_DIR, REPO, type Run, TIMEOUT_MS, useFixture } from "./helpers.ts";
import { namedProperties, type Schema, schemasIn, validate } from "./json-schema.ts";

const fx = useFixture();
const SCHEMAS = schemasIn(join(REPO, "docs/cli.md"));

/** Per schema title, the property paths the outputs so far have had. */
const seen = new Map<string, Set<string>>();

function schemaOf(title: string): Schema {
  const schema = SCHEMAS.get(title);
  if (!schema) throw new Error(`docs/cli.md has no JSON Schema titled '${title}'`);
  return schema;
}

/** stdout is exactly one line holding one JSON object, and that object conforms to `title`. */
function expectShape(title: string, stdout: string): Record<string, unknown> {
  expect(stdout.endsWith("\n"), stdout).toBe(true);
  expect(stdout.trimEnd().split("\n"), stdout).toHaveLength(1);
  const value = JSON.parse(stdout) as unknown;
  expect(typeof value === "object" && value !== null && !Array.isArray(value), stdout).toBe(true);
  const paths = seen.get(title) ?? new Set<string>();
  seen.set(title, paths);
  expect(validate(value, schemaOf(title), "", paths), stdout).toEqual([]);
  return value as Record<string, unknown>;
}

/** Every line on stderr is one JSON object (errors, warnings, notes). */
function expectJsonLines(stderr: string): void {
  for (const line of stderr.split("\n").filter((l) => l !== "")) {
    expect(() => JSON.parse(line), line).not.toThrow();
  }
}

async function runJson(title: string, args: string[], env = {}, code = 0): Promise<Run> {
  const run = await fx.run([...args, "--json"], { env });
  expect(run.code, run.stderr).toBe(code);
  expectJsonLines(run.stderr);
  expectShape(title, run.stdout);
  return run;
}

describe("--json prints one object of the documented shape", () => {
  test("docs/cli.md has a schema for every command with a result", () => {
    expect([...SCHEMAS.keys()].sort()).toEqual(
      [
        "openclaw-auth --version --json",
        "openclaw-auth clear --json",
        "openclaw-auth dev-gateway --json",
        "openclaw-auth doctor --json",
        "openclaw-auth request --json",
        "openclaw-auth skill install --json",
        "openclaw-auth status --json",
        "openclaw-auth token --json",
      ].sort(),
    );
  });

  test(
    "token: from the gateway, from the cache (the warm path), refreshed, dry run",
    async () => {
      const title = "openclaw-auth token --json";
      await runJson(title, ["token"]);
      await runJson(title, ["token"]);
      await runJson(title, ["token", "--refresh"]);
      await runJson(title, ["token", "--dry-run"]);
    },
    TIMEOUT_MS,
  );

  test(
    "status: missing, valid, refused (a symlinked cache dir)",
    async () => {
      const title = "openclaw-auth status --json";
      await runJson(title, ["status"]);
      await fx.run(["token"]);
      await runJson(title, ["status"]);
      const real = join(fx.dir, "real");
      await mkdir(real, { mode: 0o700 });
      await symlink(real, join(fx.dir, "link"));
      await runJson(title, ["status"], { AUTH_CACHE_DIR: join(fx.dir, "link") });
    },
    TIMEOUT_MS,
  );

  test(
    "clear: the names of the files removed, none, and with --dry-run",
    async () => {
      const title = "openclaw-auth clear --json";
      await fx.run(["token"]);
      const dry = await runJson(title, ["clear", "--dry-run"]);
      const would = JSON.parse(dry.stdout) as { removed: string[]; dryRun: boolean };
      expect(would.removed).toEqual([expect.stringMatching(/^token_[0-9a-f]{32}\.json$/)]);
      const done = await runJson(title, ["clear"]);
      expect(JSON.parse(done.stdout)).toEqual({ cacheDir: fx.cacheDir, removed: would.removed });
      const none = await runJson(title, ["clear"]);
      expect(JSON.parse(none.stdout).removed).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "doctor: all ok (exit 0), a refused key (exit 3), no key (exit 2)",
    async () => {
      const title = "openclaw-auth doctor --json";
      const ok = await runJson(title, ["doctor"]);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, exitCode: 0 });
      const refused = await runJson(title, ["doctor"], { CLIENT_KEY: "ck-wrong-key-9" }, 3);
      expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, exitCode: 3 });
      const noKey = await runJson(title, ["doctor"], { CLIENT_KEY: undefined }, 2);
      expect(JSON.parse(noKey.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    },
    TIMEOUT_MS,
  );

  test(
    "request: the status, headers and body (and the body parsed), also for a 404 and a dry run",
    async () => {
      const title = "openclaw-auth request --json";
      const echo = await runJson(title, ["request", "GET", "/echo", "--include"]);
      const answer = JSON.parse(echo.stdout);
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toContain("application/json");
      expect(answer.json).toEqual(JSON.parse(answer.body));
      expect(echo.stderr).toBe("");
      const missing = await runJson(title, ["request", "GET", "/nope"], {}, 1);
      expect(JSON.parse(missing.stdout).status).toBe(404);
      const dry = await runJson(title, ["request", "POST", "/echo", "--data", "{}", "--dry-run"]);
      expect(JSON.parse(dry.stdout)).toMatchObject({ status: 200, dryRun: true });
    },
    TIMEOUT_MS,
  );

  test(
    "skill install: the files and their states, and with --dry-run",
    async () => {
      const title = "openclaw-auth skill install --json";
      const args = ["skill", "install", "--workspace", fx.dir];
      const dry = await runJson(title, [...args, "--dry-run"]);
      expect(JSON.parse(dry.stdout).files[0].state).toBe("written");
      await runJson(title, args);
      const again = await runJson(title, args);
      expect(JSON.parse(again.stdout).files[0].state).toBe("unchanged");
    },
    TIMEOUT_MS,
  );

  test(
    "dev-gateway: {url} once it listens, {dryRun} with --dry-run",
    async () => {
      const title = "openclaw-auth dev-gateway --json";
      await runJson(title, ["dev-gateway", "--dry-run"]);
      const child = Bun.spawn([process.execPath, CLI_DIR, "dev-gateway", "--json"], {
        cwd: fx.dir,
        env: fx.env(),
        stdout: "pipe",
        stderr: "pipe",
      });
      try {
        const reader = child.stdout.getReader();
        let out = "";
        while (!out.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          out += new TextDecoder().decode(value);
        }
        reader.releaseLock();
        const { url } = expectShape(title, out) as { url: string };
        expect((await fetch(`${url}/health`)).ok).toBe(true);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await child.exited).toBe(0);
      expectJsonLines(await new Response(child.stderr).text());
    },
    TIMEOUT_MS,
  );

  test(
    "--version",
    async () => {
      await runJson("openclaw-auth --version --json", ["--version"]);
    },
    TIMEOUT_MS,
  );

  // Last: after every command's cases above (bun runs a file's tests in order).
  test("every property a schema names is printed in one of the cases above", () => {
    for (const [title, schema] of SCHEMAS) {
      const printed = seen.get(title) ?? new Set();
      const never = namedProperties(schema).filter((name) => !printed.has(name));
      expect(never, `${title}: documented, never printed`).toEqual([]);
    }
  });
});

describe("the schema check fails on a shape that differs", () => {
  const schema = schemaOf("openclaw-auth token --json");
  const good = { token: "t0k", expiresAt: 1.5, expiresIn: 3, source: "cache" };

  test("a missing, an extra or a mistyped property, a value out of its enum", () => {
    expect(validate(good, schema)).toEqual([]);
    const { token: _, ...missing } = good;
    expect(validate(missing, schema)).toEqual(["(root): no token"]);
    expect(validate({ ...good, extra: 1 }, schema)).toEqual(["(root): extra is not in the schema"]);
    expect(validate({ ...good, expiresIn: 1.5 }, schema)).toEqual([
      "expiresIn: number, not integer",
    ]);
    expect(validate({ ...good, source: "disk" }, schema)).toHaveLength(1);
    expect(validate([good], schema)).toEqual(["(root): array, not object"]);
  });

  test("a schema keyword the checker does not know is an error, not ignored", () => {
    expect(() => validate(good, { ...schema, maxProperties: 4 })).toThrow(/maxProperties/);
  });
});
