/**
 * What a short process loads (docs/configuration.md, "What a process loads"): a warm token from
 * the cache file needs no zod, dotenv or OpenTelemetry; whatever is not plain still meets zod.
 * Each case runs in a fresh Bun process, since a module once loaded stays loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFilePath, createEnvConfig } from "../../src/index.ts";

const entry = join(import.meta.dir, "../../src/index.ts");
const KEY = "ck-lazy-CANARY-7b30e1";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-lazy-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `body` after importing the package in a fresh process; its last line as JSON. */
function run(body: string, env: Record<string, string>, cwd = dir) {
  const script = `const api = await import(${JSON.stringify(entry)});
${body}
const loaded = Object.keys(require.cache).filter((k) => /[\\/](zod|dotenv|@opentelemetry)[\\/]/.test(k));
console.log(JSON.stringify({ result, loaded: loaded.map((k) => k.match(/[\\/](zod|dotenv|@opentelemetry)[\\/]/)[1]).filter((v, i, a) => a.indexOf(v) === i) }));`;
  const child = Bun.spawnSync([process.execPath, "-e", script], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  const last = child.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (child.exitCode !== 0) throw new Error(`child failed: ${child.stderr.toString()}`);
  return JSON.parse(last) as { result: unknown; loaded: string[] };
}

describe("what a short process loads", () => {
  test("a warm token from the cache file loads no zod, dotenv or @opentelemetry module", async () => {
    const env = { CLIENT_KEY: KEY, AUTH_BASE: "http://127.0.0.1:9", AUTH_CACHE_DIR: dir };
    const file = cacheFilePath(createEnvConfig(env, { envFile: false }));
    const expiresAt = Date.now() / 1000 + 3600;
    await writeFile(file, JSON.stringify({ access_token: "tok-warm", expires_at: expiresAt }));
    await chmod(file, 0o600);
    // Nothing listens on port 9: the token can only come from the file.
    const out = run("const result = await api.getAccessToken();", env);
    expect(out).toEqual({ result: "tok-warm", loaded: [] });
  });

  test("a config value the plain rules refuse loads zod, which words the error as before", () => {
    const out = run(
      `let result;
try { api.createEnvConfig({ CLIENT_KEY: "k", AUTH_MIN_TTL_SEC: "-1" }, { envFile: false }); }
catch (error) { result = error.message; }`,
      {},
    );
    expect(out.result).toBe("AUTH_MIN_TTL_SEC must be an integer from 0 to 86400");
    expect(out.loaded).toEqual(["zod"]);
  });

  test("a .env file with a quoted value is read by dotenv; a plain one is not", async () => {
    const quoted = await mkdtemp(join(dir, "quoted-"));
    await writeFile(join(quoted, ".env"), 'CLIENT_KEY="key with spaces"\n');
    const body = "const result = api.createEnvConfig({}).clientKeySource;";
    expect(run(body, {}, quoted)).toEqual({ result: "env-file", loaded: ["dotenv"] });
    const plain = await mkdtemp(join(dir, "plain-"));
    await writeFile(join(plain, ".env"), "CLIENT_KEY=plain-key\n");
    expect(run(body, {}, plain)).toEqual({ result: "env-file", loaded: [] });
  });
});
