/**
 * The example skills end to end against the dev gateway: the Python skill (python3 calling the
 * `openclaw-auth` CLI, no library of ours) and the TypeScript one (Bun, the runtime) scrape a 1688
 * offer at the same moment, from their own folders, and share one token: the gateway issues one.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";

const SKILLS = resolve(import.meta.dir, "..");
const CLI = resolve(SKILLS, "../apps/cli");
const PY_SKILL = join(SKILLS, "examples/scrape-1688-py");
const TS_SKILL = join(SKILLS, "examples/scrape-1688-ts");
const CLIENT_KEY = "ck-skill-CANARY-51c9e2";
const OFFER = "https://detail.1688.com/offer/610947572360.html";
const TIMEOUT_MS = 60_000;

const PYTHON = Bun.which("python3");

let gateway: DevGateway;
let work = "";

beforeAll(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
});
afterAll(async () => {
  await gateway.stop();
});
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "openclaw-skill-examples-"));
  // `openclaw-auth` on PATH, as `npm install -g @openclaw/auth-cli` puts it there.
  await mkdir(join(work, "bin"));
  const bin = join(work, "bin/openclaw-auth");
  await writeFile(
    bin,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`,
  );
  await chmod(bin, 0o755);
});
afterEach(async () => {
  gateway.resetStats();
  await rm(work, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${join(work, "bin")}:${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? work,
    AUTH_BASE: gateway.url,
    CLIENT_KEY,
    AUTH_CACHE_DIR: join(work, "cache"),
    ...extra,
  };
}

async function run(cmd: string[], cwd: string, extra: Record<string, string> = {}) {
  const child = Bun.spawn(cmd, { cwd, env: env(extra), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  // Whatever happens, neither the key nor a token is printed.
  for (const text of [stdout, stderr]) {
    expect(text).not.toContain(CLIENT_KEY);
    expect(text).not.toMatch(/eyJ[\w-]*\.[\w-]+\.[\w-]+/);
  }
  return { code, stdout, stderr };
}

const python = (...args: string[]) =>
  run([PYTHON ?? "python3", "scripts/scrape.py", ...args], PY_SKILL);
const typescript = (...args: string[]) =>
  run([process.execPath, "scripts/scrape.ts", ...args], TS_SKILL);

describe("the example skills", () => {
  test("python3 is installed (the Python example needs it; CI: apt-get install python3)", () => {
    expect(PYTHON, "python3 not on PATH").not.toBeNull();
  });

  test(
    "the Python skill and the TypeScript skill, run at once, scrape the offer with one token between them",
    async () => {
      const [py, ts] = await Promise.all([python("--json", OFFER), typescript("--json", OFFER)]);
      expect(py.code, py.stderr).toBe(0);
      expect(ts.code, ts.stderr).toBe(0);
      const fromPy = JSON.parse(py.stdout);
      const fromTs = JSON.parse(ts.stdout);
      expect(fromPy).toEqual(fromTs);
      expect(fromPy.title).toContain("610947572360");
      expect(typeof fromPy.price).toBe("number");
      const stats = await gateway.stats();
      expect(stats.tokensIssued).toBe(1);
      expect(stats.requests["/ecom/tasks/scrape"]).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "the Python skill, run again, uses the cached token: no new token request",
    async () => {
      expect((await python(OFFER)).code).toBe(0);
      const again = await python("610947572360");
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^.+\n {2}price: [\d.]+ CNY\n$/);
      expect((await gateway.stats()).tokensIssued).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "the Python skill ends with openclaw-auth's exit codes: 2 bad offer, 3 refused key, 4 no gateway",
    async () => {
      expect((await python("https://example.com/offer/1.html")).code).toBe(2);
      const refused = await run([PYTHON ?? "python3", "scripts/scrape.py", OFFER], PY_SKILL, {
        CLIENT_KEY: "ck-refused-7d1e",
      });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain("AUTH_SESSION_ERROR");
      const dead = await run([PYTHON ?? "python3", "scripts/scrape.py", OFFER], PY_SKILL, {
        AUTH_BASE: "http://127.0.0.1:9",
        AUTH_TIMEOUT_MS: "500",
      });
      expect(dead.code).toBe(4);
    },
    TIMEOUT_MS,
  );
});
