/**
 * The package as it is published: scripts/build-package.ts builds it (into a temp dir, so it is
 * never stale), `bun pm pack` packs it, and the tarball is installed into a temp project outside
 * the repo without network (extracted into node_modules, zod and dotenv linked from the
 * workspace). Real `bun` children then use it as a consumer does, against the dev gateway.
 * (packages/node/test/packaging.node.ts installs the same tarball from the registry's side.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";

const CORE = join(import.meta.dir, "../..");
const CLIENT_KEY = "ck-packaged-CANARY-31c9d2";
/** Building, packing and a cold `bun` child on a busy machine. */
const SETUP_TIMEOUT_MS = 120_000;
const CHILD_TIMEOUT_MS = 30_000;
/** Each entry of the package, and the source entry the workspace resolves it to. */
const ENTRIES = {
  "@openclaw/auth-runtime": "src/index.ts",
  "@openclaw/auth-runtime/adapter": "src/adapter.ts",
  "@openclaw/auth-runtime/cache": "src/cache/cache-file.ts",
  "@openclaw/auth-runtime/config": "src/config.ts",
} as const;

let work: string;
let project: string;
let tarball: string;
let gateway: DevGateway;
let cacheDir: string;

function sync(cmd: string[], cwd: string): string {
  const child = Bun.spawnSync(cmd, { cwd, env: { PATH: process.env.PATH ?? "" }, stderr: "pipe" });
  if (child.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${child.stderr.toString()}`);
  return child.stdout.toString();
}

/** Runs `script` (a module) in a fresh `bun` in `dir`; its last stdout line, parsed. */
async function runScript(dir: string, script: string, env: Record<string, string> = {}) {
  const file = join(dir, `script-${crypto.randomUUID()}.ts`);
  await writeFile(file, script);
  const child = Bun.spawn([process.execPath, file], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: work, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`bun ${file} exited with ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "null");
}

/** A project under `work` with the tarball extracted as node_modules/@openclaw/auth-runtime. */
async function install(dir: string): Promise<void> {
  const installed = join(dir, "node_modules/@openclaw/auth-runtime");
  await mkdir(installed, { recursive: true });
  sync(["tar", "-xzf", tarball, "--strip-components=1", "-C", installed], dir);
  for (const name of ["zod", "dotenv"]) {
    await symlink(join(CORE, "node_modules", name), join(dir, "node_modules", name));
  }
  await writeFile(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "openclaw-packaged-"));
  expect(relative(CORE, work).startsWith("..")).toBe(true);
  const built = join(work, "package");
  sync(["bun", join(CORE, "scripts/build-package.ts"), "--outdir", built], CORE);
  sync(["bun", "pm", "pack", "--destination", work, "--quiet"], built);
  const name = (await readdir(work)).find((file) => file.endsWith(".tgz"));
  if (!name) throw new Error("bun pm pack wrote no tarball");
  tarball = join(work, name);
  project = join(work, "consumer");
  await install(project);
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY], hostname: "127.0.0.1" });
  cacheDir = await mkdtemp(join(work, "cache-"));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the published @openclaw/auth-runtime, installed from its tarball", () => {
  test("holds no TypeScript source, only declarations", () => {
    const paths = sync(["tar", "-tzf", tarball], work).trim().split("\n");
    expect(paths.filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts"))).toEqual([]);
    expect(paths.filter((path) => /^package\/(src|test)\//.test(path))).toEqual([]);
    for (const file of ["lib/index.js", "lib/runtime.cjs", "dist/index.d.ts", "README.redis.md"])
      expect(paths).toContain(`package/${file}`);
  });

  test("each entry exports the names of its source entry, and .'s functions are ./adapter's runtime's", async () => {
    const names = (entries: Record<string, string>) => `const names = {};
${Object.entries(entries)
  .map(
    ([name, path]) =>
      `names[${JSON.stringify(name)}] = Object.keys(await import(${JSON.stringify(path)})).sort();`,
  )
  .join("\n")}
console.log(JSON.stringify(names));`;
    const sources = Object.fromEntries(
      Object.entries(ENTRIES).map(([name, path]) => [name, join(CORE, path)]),
    );
    const fromSource = await runScript(work, names(sources));
    const fromPackage = await runScript(
      project,
      `${names(Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, name])))}`,
    );
    expect(fromPackage).toEqual(fromSource);
    expect(fromPackage["@openclaw/auth-runtime"]).toContain("getAccessToken");
    // One runtime behind both entries: the adapter knows the user API's functions.
    const shared = await runScript(
      project,
      `import { createTokenManager } from "@openclaw/auth-runtime";
import { runtimeOf } from "@openclaw/auth-runtime/adapter";
console.log(JSON.stringify(typeof runtimeOf(createTokenManager).cacheKey));`,
    );
    expect(shared).toBe("function");
  });

  test(
    "a bun script gets a token from the gateway, then the same token from the cache file, loading no zod, dotenv or OpenTelemetry for it",
    async () => {
      const env = { CLIENT_KEY, AUTH_BASE: gateway.url, AUTH_CACHE_DIR: cacheDir };
      const script = `import { getAccessTokenInfo } from "@openclaw/auth-runtime";
import { cacheFileName } from "@openclaw/auth-runtime/cache";
import { CONFIG_DEFAULTS } from "@openclaw/auth-runtime/config";
const info = await getAccessTokenInfo();
const loaded = Object.keys(require.cache).filter((key) => /[\\\\/](zod|dotenv|@opentelemetry)[\\\\/]/.test(key));
console.log(JSON.stringify({ token: info.accessToken, source: info.source, loaded,
  file: cacheFileName("ab"), minTtlSec: CONFIG_DEFAULTS.minTtlSec }));`;
      const first = await runScript(project, script, env);
      expect(first.source).toBe("network");
      expect(first.token).toBeString();
      expect(gateway.stats().tokensIssued).toBe(1);
      expect(first).toMatchObject({ file: "token_ab.json", minTtlSec: 60 });
      const warm = await runScript(project, script, env);
      expect(warm).toMatchObject({ token: first.token, source: "cache", loaded: [] });
      expect(gateway.stats().tokensIssued).toBe(1);
    },
    CHILD_TIMEOUT_MS,
  );

  test(
    "works as well when the bytecode beside the bundle is another Bun's (it is then ignored)",
    async () => {
      const other = join(work, "other-bun");
      await cp(project, other, { recursive: true, verbatimSymlinks: true });
      const jsc = join(other, "node_modules/@openclaw/auth-runtime/lib/runtime.cjs.jsc");
      await writeFile(jsc, crypto.getRandomValues(new Uint8Array(4096)));
      const out = await runScript(
        other,
        `import { createConfig, cacheFilePath } from "@openclaw/auth-runtime";
console.log(JSON.stringify(cacheFilePath(createConfig({ clientKey: "k", cacheDir: "/tmp/x" }))));`,
      );
      expect(out).toMatch(/^\/tmp\/x\/token_[0-9a-f]{32}\.json$/);
    },
    CHILD_TIMEOUT_MS,
  );

  test(
    "a consumer's app bundled with bun build (and --compile) gets a working runtime, one for both entries",
    async () => {
      const app = `import { createConfig, cacheFilePath, createTokenManager } from "@openclaw/auth-runtime";
import { runtimeOf } from "@openclaw/auth-runtime/adapter";
const config = createConfig({ clientKey: "k", cacheDir: "/tmp/x" });
console.log(JSON.stringify([cacheFilePath(config), typeof runtimeOf(createTokenManager).cacheKey]));`;
      await writeFile(join(project, "app.ts"), app);
      sync(["bun", "build", "app.ts", "--target=bun", "--outfile", "app.js"], project);
      sync(["bun", "build", "app.ts", "--compile", "--outfile", "app-bin"], project);
      for (const cmd of [[process.execPath, "app.js"], ["./app-bin"]]) {
        const out = JSON.parse(sync(cmd, project).trim());
        expect(out[0]).toMatch(/^\/tmp\/x\/token_[0-9a-f]{32}\.json$/);
        expect(out[1]).toBe("function");
      }
    },
    CHILD_TIMEOUT_MS,
  );

  test("the workspace still runs the source: its bun condition is unchanged", () => {
    const cli = join(CORE, "../../apps/cli/src");
    for (const [name, path] of Object.entries(ENTRIES)) {
      expect(Bun.resolveSync(name, cli)).toBe(join(CORE, path));
    }
  });
});
