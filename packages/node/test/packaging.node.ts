/**
 * The packed tarballs, as users get them: `npm pack` of this package and `bun pm pack` of core,
 * each installed in a fresh project outside the repo (npm / bun add, zod and dotenv from the
 * registry), run there against a dev gateway, type-checked by a consumer's tsc, and linted by
 * publint and are-the-types-wrong.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import type { GatewayControl } from "../../conformance/src/index.ts";
import {
  BUN,
  lastJsonLine,
  PACKAGE_DIR,
  type ProcessRun,
  REPO_DIR,
  run,
  startGateway,
} from "./support.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
const CORE_DIR = join(REPO_DIR, "packages/core");
const TSC = join(REPO_DIR, "node_modules/typescript/bin/tsc");
const BIN = join(PACKAGE_DIR, "node_modules/.bin");
/** Installs fetch zod and dotenv from the registry: generous. */
const SETUP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 90_000;
const OFFER = "https://detail.1688.com/offer/610947572360.html";

function ok(result: ProcessRun, what: string): ProcessRun {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** A temp dir outside the repo, so nothing resolves from the workspace's node_modules. */
async function outsideTheRepo(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  assert.ok(relative(REPO_DIR, dir).startsWith(".."), `${dir} is inside the repo`);
  return dir;
}

/** A fresh ESM project in `dir`. */
async function freshProject(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`,
  );
}

/** What a user writes: a token, then an auto-refreshing scrape. `PKG` is the package name. */
const smokeScript = (pkg: string) => `import {
  createEnvConfig,
  getAccessTokenInfo,
  requestApiWithAutoRefresh,
} from "${pkg}";

const config = createEnvConfig(process.env, { envFile: false });
const { source } = await getAccessTokenInfo({ config });
const response = await requestApiWithAutoRefresh({
  config,
  method: "POST",
  url: "/ecom/tasks/scrape",
  body: { url: "${OFFER}" },
});
console.log(JSON.stringify({ source, status: response.status, price: response.json().price }));
`;

/** A consumer's code, type-checked against the installed package. */
const consumerSource = (pkg: string) => `import {
  type ApiResponse,
  AuthSessionError,
  createEnvConfig,
  type EnvConfig,
  getAccessTokenInfo,
  requestApiWithAutoRefresh,
  type TokenInfo,
  type TokenSource,
} from "${pkg}";

const config: EnvConfig = createEnvConfig(process.env, { envFile: false });
const info: TokenInfo = await getAccessTokenInfo({ config });
const source: TokenSource = info.source;
const response: ApiResponse = await requestApiWithAutoRefresh({
  config,
  method: "POST",
  url: "/echo",
  body: { a: 1 },
});
const status: number = response.status;
const code: string = new AuthSessionError("refused").code;
// @ts-expect-error: proves the types are the package's, not \`any\`
const wrong: string = info.expiresAt;
console.log(source, status, code, wrong);
`;

async function typeCheck(dir: string, name: string, compilerOptions: object): Promise<void> {
  const config = join(dir, `tsconfig.${name}.json`);
  await writeFile(config, JSON.stringify({ compilerOptions, files: ["consumer.ts"] }, null, 2));
  ok(await run(process.execPath, [TSC, "-p", config], { cwd: dir }), `tsc (${name})`);
}

async function lintTarball(tarball: string): Promise<void> {
  const publint = ok(await run(join(BIN, "publint"), ["run", tarball, "--strict"]), "publint");
  assert.match(publint.stdout, /All good!/);
  // esm-only: node10 and require() from CJS are out of scope; the exit code says the rest.
  const attw = ok(
    await run(join(BIN, "attw"), [tarball, "--profile", "esm-only", "--format", "ascii"]),
    "attw",
  );
  assert.match(attw.stdout, /node16 \(from ESM\): 🟢/);
  assert.match(attw.stdout, /bundler: 🟢/);
}

async function withRuntimeEnv(gateway: GatewayControl, dir: string) {
  return { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: join(dir, "cache") };
}

describe("the npm tarball of @openclaw/auth-runtime-node", () => {
  let work = "";
  let tarball = "";
  let project = "";
  let files: string[] = [];
  let gateway: GatewayControl | undefined;

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-node-");
      const packed = ok(
        await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: PACKAGE_DIR }),
        "npm pack",
      );
      const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      assert.ok(info);
      tarball = join(work, info.filename);
      files = info.files.map((file) => file.path).sort();
      project = join(work, "consumer");
      await freshProject(project);
      ok(
        await run("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", tarball], {
          cwd: project,
          timeoutMs: SETUP_TIMEOUT_MS,
        }),
        "npm install",
      );
      gateway = await startGateway({ clientKeys: [CLIENT_KEY] });
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(async () => {
    await gateway?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("holds only dist/, README.md and package.json", () => {
    assert.ok(files.includes("dist/index.js") && files.includes("dist/index.d.ts"));
    assert.deepEqual(
      files.filter((path) => !path.startsWith("dist/")),
      ["README.md", "package.json"],
    );
  });

  test("its declarations are self-contained and document each function with an example", async () => {
    const dist = join(project, "node_modules/@openclaw/auth-runtime-node/dist");
    const names = (await readdir(dist)).filter((name) => name.endsWith(".d.ts"));
    const text = (await Promise.all(names.map((name) => readFile(join(dist, name), "utf8")))).join(
      "\n",
    );
    // No path into another package's sources, no import of a package the consumer lacks.
    assert.doesNotMatch(text, /core\/src|from ["']@openclaw\/auth-runtime["/]/);
    for (const fn of ["getAccessToken", "requestApiWithAutoRefresh", "createAuthFetch"]) {
      const doc = new RegExp(
        `/\\*\\*(?:(?!\\*/)[\\s\\S])*@example(?:(?!\\*/)[\\s\\S])*\\*/\\s*declare function ${fn}\\(`,
      );
      assert.match(text, doc, `${fn} is declared with a JSDoc example`);
    }
  });

  test(
    "publint and are-the-types-wrong (esm-only) find nothing",
    { timeout: TEST_TIMEOUT_MS },
    () => lintTarball(tarball),
  );

  test("installed with npm outside the repo, a node script gets a token and a scrape result", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    assert.ok(gateway);
    await writeFile(join(project, "smoke.mjs"), smokeScript("@openclaw/auth-runtime-node"));
    const env = await withRuntimeEnv(gateway, work);
    const first = ok(await run(process.execPath, ["smoke.mjs"], { cwd: project, env }), "smoke");
    assert.deepEqual(
      { ...lastJsonLine(first.stdout), price: typeof lastJsonLine(first.stdout).price },
      { source: "network", status: 200, price: "number" },
    );
    const second = ok(await run(process.execPath, ["smoke.mjs"], { cwd: project, env }), "smoke");
    assert.equal(lastJsonLine(second.stdout).source, "cache");
    assert.equal((await gateway.stats()).tokensIssued, 1);
  });

  test("a consumer's tsc resolves its types with NodeNext and with bundler resolution", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await writeFile(join(project, "consumer.ts"), consumerSource("@openclaw/auth-runtime-node"));
    const common = {
      target: "ES2022",
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ["node"],
      typeRoots: [join(PACKAGE_DIR, "node_modules/@types")],
    };
    await typeCheck(project, "nodenext", {
      ...common,
      module: "NodeNext",
      moduleResolution: "NodeNext",
    });
    await typeCheck(project, "bundler", {
      ...common,
      module: "ESNext",
      moduleResolution: "Bundler",
    });
  });
});

describe("the bun tarball of @openclaw/auth-runtime", () => {
  let work = "";
  let tarball = "";
  let project = "";
  let gateway: GatewayControl | undefined;

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-core-");
      ok(await run(BUN, ["pm", "pack", "--destination", work], { cwd: CORE_DIR }), "bun pm pack");
      const name = (await readdir(work)).find((file) => file.endsWith(".tgz"));
      assert.ok(name, "bun pm pack wrote no tarball");
      tarball = join(work, name);
      project = join(work, "consumer");
      await freshProject(project);
      ok(
        await run(BUN, ["add", tarball], { cwd: project, timeoutMs: SETUP_TIMEOUT_MS }),
        "bun add",
      );
      gateway = await startGateway({ clientKeys: [CLIENT_KEY] });
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(async () => {
    await gateway?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("holds src/ without tests, node-unsupported.js, README.md and package.json", async () => {
    const listed = ok(await run("tar", ["-tzf", tarball]), "tar");
    const paths = listed.stdout
      .trim()
      .split("\n")
      .map((path) => path.replace(/^package\//, ""));
    assert.ok(paths.includes("src/index.ts") && paths.includes("node-unsupported.js"));
    assert.ok(paths.includes("README.md") && paths.includes("package.json"));
    assert.deepEqual(
      paths.filter((path) => path.endsWith(".test.ts") || path.startsWith("test/")),
      [],
    );
  });

  test(
    "publint and are-the-types-wrong (esm-only) find nothing",
    { timeout: TEST_TIMEOUT_MS },
    () => lintTarball(tarball),
  );

  test("installed with bun add outside the repo, a bun script gets a token and a scrape result", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    assert.ok(gateway);
    await writeFile(join(project, "smoke.ts"), smokeScript("@openclaw/auth-runtime"));
    const env = await withRuntimeEnv(gateway, work);
    const first = ok(await run(BUN, ["smoke.ts"], { cwd: project, env }), "smoke");
    assert.equal(lastJsonLine(first.stdout).source, "network");
    assert.equal(lastJsonLine(first.stdout).status, 200);
    assert.equal(typeof lastJsonLine(first.stdout).price, "number");
    const second = ok(await run(BUN, ["smoke.ts"], { cwd: project, env }), "smoke");
    assert.equal(lastJsonLine(second.stdout).source, "cache");
  });

  test("under Node, importing it fails at once with an error naming @openclaw/auth-runtime-node", async () => {
    await writeFile(join(project, "on-node.mjs"), smokeScript("@openclaw/auth-runtime"));
    const child = await run(process.execPath, ["on-node.mjs"], { cwd: project });
    assert.equal(child.code, 1);
    assert.match(child.stderr, /@openclaw\/auth-runtime-node/);
  });

  test("a consumer's tsc resolves its types with Bun's recommended tsconfig", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await writeFile(join(project, "consumer.ts"), consumerSource("@openclaw/auth-runtime"));
    await typeCheck(project, "bun", {
      target: "ESNext",
      lib: ["ESNext"],
      module: "Preserve",
      moduleResolution: "bundler",
      moduleDetection: "force",
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["bun"],
      typeRoots: [join(REPO_DIR, "node_modules/@types")],
    });
  });
});
