/**
 * The packed tarballs, as users get them: `npm pack` of this package, `bun pm pack` of core's and
 * the CLI's published packages (packages/core/dist/package, apps/cli/dist/package) and of the
 * dev gateway, each installed in a fresh project outside the repo (npm / bun add; zod and dotenv
 * from the registry), run there against a dev gateway, type-checked by a consumer's strict tsc
 * (without skipLibCheck or allowImportingTsExtensions), and linted by publint and
 * are-the-types-wrong (esm-only: the packages say they are ESM only).
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
const GATEWAY_DIR = join(REPO_DIR, "packages/dev-gateway");
const CLI_DIR = join(REPO_DIR, "apps/cli");
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

/**
 * A consumer's code, type-checked against the installed package: the user API, and the other
 * entries. Its index-signature reads use brackets, as noPropertyAccessFromIndexSignature wants.
 */
const consumerSource = (pkg: string, more = "") => `${more}import {
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
const base: string | undefined = process.env["AUTH_BASE"];
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
console.log(source, status, code, wrong, base);
`;

/** Core's other entries, as a tool built on the runtime imports them. */
const coreEntries = `import { createAuthRuntime, FileTokenStore } from "@openclaw/auth-runtime/adapter";
import { cacheFileName } from "@openclaw/auth-runtime/cache";
import { CONFIG_DEFAULTS } from "@openclaw/auth-runtime/config";
const file: string = cacheFileName("0123456789abcdef0123456789abcdef");
const minTtl: number = CONFIG_DEFAULTS.minTtlSec;
console.log(file, minTtl, typeof createAuthRuntime, typeof FileTokenStore);
`;

/**
 * What a strict consumer compiles with: strict, every stricter flag this repository uses, and
 * noPropertyAccessFromIndexSignature; skipLibCheck off, so our .d.ts files are checked too; no
 * allowImportingTsExtensions. `types: ["node"]` (Node 20's) for the globals both runtimes share:
 * bun-types itself does not compile without skipLibCheck, which is not ours to prove.
 */
const STRICT = {
  target: "ES2022",
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  noEmit: true,
  types: ["node"],
  typeRoots: [join(PACKAGE_DIR, "node_modules/@types")],
};

/**
 * The consumer's code under every `moduleResolution` a consumer may use, with {@link STRICT}:
 * node16, nodenext and bundler read `exports`; node10 (what `module: commonjs` implies) reads
 * only the top-level `types`, so `pkg`'s main entry is checked from a CommonJS consumer too.
 */
async function strictTypeChecks(project: string, pkg: string): Promise<void> {
  await typeCheck(project, "node16", { ...STRICT, module: "Node16", moduleResolution: "Node16" });
  await typeCheck(project, "nodenext", {
    ...STRICT,
    module: "NodeNext",
    moduleResolution: "NodeNext",
  });
  await typeCheck(project, "bundler", { ...STRICT, module: "ESNext", moduleResolution: "Bundler" });
  await writeFile(join(project, "consumer-cjs.ts"), commonJsConsumerSource(pkg));
  // No verbatimModuleSyntax: it forbids `import` in a CommonJS module. node10 is deprecated by
  // TypeScript 6, not by the projects that still compile with it.
  const { verbatimModuleSyntax: _esmOnly, ...commonJs } = STRICT;
  await typeCheck(
    project,
    "node10",
    { ...commonJs, module: "CommonJS", moduleResolution: "node10", ignoreDeprecations: "6.0" },
    "consumer-cjs.ts",
  );
}

/** A CommonJS consumer's code (no top-level await): the main entry's types, as node10 finds them. */
const commonJsConsumerSource = (pkg: string) => `import {
  type ApiResponse,
  AuthSessionError,
  createEnvConfig,
  type EnvConfig,
  requestApiWithAutoRefresh,
} from "${pkg}";

export async function main(): Promise<number> {
  const config: EnvConfig = createEnvConfig(process.env, { envFile: false });
  const response: ApiResponse = await requestApiWithAutoRefresh({ config, url: "/echo" });
  // @ts-expect-error: proves the types are the package's, not \`any\`
  const wrong: string = response.status;
  console.log(wrong, new AuthSessionError("refused").code);
  return response.status;
}
`;

/** The fields a registry page and `npm` need, and no dependency that cannot be installed. */
const PUBLIC_PACKAGES = [
  "@openclaw/auth-runtime",
  "@openclaw/auth-runtime-node",
  "@openclaw/dev-gateway",
  "@openclaw/auth-cli",
];
async function assertPublishableManifest(tarball: string): Promise<Record<string, unknown>> {
  const text = ok(await run("tar", ["-xzOf", tarball, "package/package.json"]), "tar").stdout;
  const manifest = JSON.parse(text) as Record<string, unknown>;
  assert.equal(manifest["private"], undefined, "not private");
  assert.equal(manifest["type"], "module");
  for (const field of [
    "repository",
    "homepage",
    "bugs",
    "license",
    "keywords",
    "engines",
    "files",
  ]) {
    assert.ok(manifest[field], `${String(manifest["name"])} has ${field}`);
  }
  const deps = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
  ].flatMap((field) => Object.entries((manifest[field] ?? {}) as Record<string, string>));
  for (const [name, range] of deps) {
    assert.doesNotMatch(range, /^(workspace|file|link):/, `${name}@${range} is installable`);
    if (name.startsWith("@openclaw/"))
      assert.ok(PUBLIC_PACKAGES.includes(name), `${name} is public`);
  }
  return manifest;
}

async function typeCheck(
  dir: string,
  name: string,
  compilerOptions: object,
  file = "consumer.ts",
): Promise<void> {
  const config = join(dir, `tsconfig.${name}.json`);
  await writeFile(config, JSON.stringify({ compilerOptions, files: [file] }, null, 2));
  ok(await run(process.execPath, [TSC, "-p", config], { cwd: dir }), `tsc (${name})`);
}

/** publint --strict and attw --profile esm-only; `types: false` for a package of a bin only. */
async function lintTarball(tarball: string, { types = true } = {}): Promise<void> {
  const publint = ok(await run(join(BIN, "publint"), ["run", tarball, "--strict"]), "publint");
  assert.match(publint.stdout, /All good!/);
  // esm-only: node10 and require() from CJS are out of scope; the exit code says the rest.
  const attw = ok(
    await run(join(BIN, "attw"), [tarball, "--profile", "esm-only", "--format", "ascii"]),
    "attw",
  );
  if (!types) {
    assert.match(attw.stdout, /does not contain types/);
    return;
  }
  assert.match(attw.stdout, /node16 \(from ESM\): 🟢/);
  assert.match(attw.stdout, /bundler: 🟢/);
}

/** `bun pm pack` of the package in `dir`, into `destination`: the tarball's path. */
async function pack(dir: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  ok(await run(BUN, ["pm", "pack", "--destination", destination], { cwd: dir }), "bun pm pack");
  const name = (await readdir(destination)).find((f) => f.endsWith(".tgz") && !before.has(f));
  assert.ok(name, `bun pm pack wrote no tarball for ${dir}`);
  return join(destination, name);
}

async function withRuntimeEnv(gateway: GatewayControl, dir: string) {
  return { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: join(dir, "cache") };
}

describe("the tarball of @openclaw/auth-runtime-node, installed with npm", () => {
  let work = "";
  let tarball = "";
  let project = "";
  let files: string[] = [];
  let gateway: GatewayControl | undefined;

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-node-");
      // bun pm pack, not npm pack: it writes workspace:* ranges as the versions they stand for.
      tarball = await pack(PACKAGE_DIR, work);
      const listed = ok(await run("tar", ["-tzf", tarball]), "tar");
      files = listed.stdout
        .trim()
        .split("\n")
        .map((path) => path.replace(/^package\//, ""))
        .sort();
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
      // Declared once, on the AuthRuntime interface, and exported typed by that member (so an
      // editor shows its docs on the import).
      const doc = new RegExp(
        `/\\*\\*(?:(?!\\*/)[\\s\\S])*@example(?:(?!\\*/)[\\s\\S])*\\*/\\s*${fn}\\(`,
      );
      assert.match(text, doc, `${fn} is declared with a JSDoc example`);
      assert.match(text, new RegExp(`declare const ${fn}: AuthRuntime\\["${fn}"\\];`));
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

  test("a strict consumer's tsc (node10, node16, NodeNext, bundler; no skipLibCheck) accepts its declarations", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await writeFile(join(project, "consumer.ts"), consumerSource("@openclaw/auth-runtime-node"));
    await strictTypeChecks(project, "@openclaw/auth-runtime-node");
  });

  test("its manifest is complete and depends on nothing unpublishable", async () => {
    const manifest = await assertPublishableManifest(tarball);
    assert.deepEqual(manifest["engines"], { node: ">=20" });
  });
  test("a browser bundle of it fails on load with an error that says where it runs", async () => {
    await writeFile(join(project, "web.ts"), smokeScript("@openclaw/auth-runtime-node"));
    ok(
      await run(BUN, ["build", "web.ts", "--target=browser", "--outfile", "web.js"], {
        cwd: project,
      }),
      "bun build --target=browser",
    );
    const child = await run(process.execPath, ["web.js"], { cwd: project });
    assert.equal(child.code, 1);
    assert.match(child.stderr, /browsers and edge runtimes/);
  });
});

describe("the tarball of @openclaw/auth-runtime, installed with bun", () => {
  let work = "";
  let tarball = "";
  let project = "";
  let gateway: GatewayControl | undefined;

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-core-");
      // Published from the built directory (core's scripts/build-package.ts), as the CLI is.
      tarball = await pack(join(CORE_DIR, "dist/package"), work);
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

  test("holds Bun's bundles (no source), the built declarations, ./cache and ./config, the stubs, READMEs and package.json", async () => {
    const listed = ok(await run("tar", ["-tzf", tarball]), "tar");
    const paths = listed.stdout
      .trim()
      .split("\n")
      .map((path) => path.replace(/^package\//, ""));
    for (const entry of ["index", "adapter", "cache", "config"])
      assert.ok(paths.includes(`dist/${entry}.d.ts`));
    // lib/esm/: the same runtime as ESM chunks (hashed names), for bundlers.
    assert.ok(paths.includes("lib/esm/runtime.js"));
    assert.deepEqual(
      paths.filter((path) => !path.endsWith(".d.ts") && !path.startsWith("lib/esm/")).sort(),
      [
        "README.md",
        "README.redis.md",
        "dist/cache.js",
        "dist/config.js",
        "lib/adapter.js",
        "lib/cache.js",
        "lib/config.js",
        "lib/index.js",
        "lib/runtime.cjs",
        "lib/runtime.cjs.jsc",
        "node-unsupported.js",
        "package.json",
        "runtime-unsupported.js",
      ],
    );
    assert.deepEqual(
      paths.filter((path) => path.endsWith(".test.ts") || path.startsWith("test/")),
      [],
    );
  });

  test("its manifest is complete, ESM only, and depends on nothing unpublishable", async () => {
    const manifest = await assertPublishableManifest(tarball);
    const exports = manifest["exports"] as Record<string, Record<string, string>>;
    for (const entry of [".", "./adapter", "./cache", "./config"]) {
      assert.equal(exports[entry]?.["require"], undefined, `${entry} has no require condition`);
      assert.match(exports[entry]?.["types"] ?? "", /^\.\/dist\/.*\.d\.ts$/);
    }
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

  test("under Node, importing it or ./adapter fails at once with an error naming @openclaw/auth-runtime-node", async () => {
    await writeFile(join(project, "on-node.mjs"), smokeScript("@openclaw/auth-runtime"));
    const child = await run(process.execPath, ["on-node.mjs"], { cwd: project });
    assert.equal(child.code, 1);
    assert.match(child.stderr, /@openclaw\/auth-runtime-node/);
    await writeFile(
      join(project, "adapter-on-node.mjs"),
      `import { createAuthRuntime } from "@openclaw/auth-runtime/adapter";\nconsole.log(createAuthRuntime);\n`,
    );
    const adapter = await run(process.execPath, ["adapter-on-node.mjs"], { cwd: project });
    assert.equal(adapter.code, 1);
    assert.match(adapter.stderr, /@openclaw\/auth-runtime-node/);
  });

  test("under Node, ./cache works: the cache-file rules import nothing", async () => {
    await writeFile(
      join(project, "cache-on-node.mjs"),
      `import { cacheFileName } from "@openclaw/auth-runtime/cache";
import { CONFIG_DEFAULTS } from "@openclaw/auth-runtime/config";
console.log(JSON.stringify({ file: cacheFileName("ab"), dir: CONFIG_DEFAULTS.cacheDir }));\n`,
    );
    const child = ok(await run(process.execPath, ["cache-on-node.mjs"], { cwd: project }), "node");
    assert.deepEqual(lastJsonLine(child.stdout), {
      file: "token_ab.json",
      dir: "/tmp/skill-auth-cache",
    });
  });

  test("a browser bundle of it fails on load with an error that says where it runs", async () => {
    await writeFile(join(project, "web.ts"), smokeScript("@openclaw/auth-runtime"));
    ok(
      await run(BUN, ["build", "web.ts", "--target=browser", "--outfile", "web.js"], {
        cwd: project,
      }),
      "bun build --target=browser",
    );
    const child = await run(process.execPath, ["web.js"], { cwd: project });
    assert.equal(child.code, 1);
    assert.match(
      child.stderr,
      /runs on Bun .* and on Node\.js >= 20 \(@openclaw\/auth-runtime-node\)/,
    );
    assert.match(child.stderr, /browsers and edge runtimes/);
  });

  test("a strict consumer's tsc (node16, NodeNext, bundler; node10 for the main entry; no skipLibCheck) accepts the declarations of all three entries", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await writeFile(
      join(project, "consumer.ts"),
      consumerSource("@openclaw/auth-runtime", coreEntries),
    );
    await strictTypeChecks(project, "@openclaw/auth-runtime");
  });

  test("a consumer's tsc with Bun's recommended tsconfig, less allowImportingTsExtensions and with the bun condition, accepts them", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await writeFile(
      join(project, "consumer.ts"),
      consumerSource("@openclaw/auth-runtime", coreEntries),
    );
    await typeCheck(project, "bun", {
      target: "ESNext",
      lib: ["ESNext"],
      module: "Preserve",
      moduleResolution: "bundler",
      moduleDetection: "force",
      // A Bun project may resolve with the "bun" condition; `types` still comes first.
      customConditions: ["bun"],
      verbatimModuleSyntax: true,
      strict: true,
      noPropertyAccessFromIndexSignature: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["bun"],
      typeRoots: [join(REPO_DIR, "node_modules/@types")],
    });
  });
});

describe("the tarball of @openclaw/auth-cli (apps/cli/dist/package)", () => {
  let work = "";
  let tarball = "";
  let gateway: GatewayControl | undefined;

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-cli-");
      ok(await run(BUN, ["run", "build:package"], { cwd: CLI_DIR }), "build:package");
      tarball = await pack(join(CLI_DIR, "dist/package"), work);
      gateway = await startGateway({ clientKeys: [CLIENT_KEY] });
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(async () => {
    await gateway?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("holds the bundled bin, its builds, the skill, README.md and package.json, and depends on nothing", async () => {
    const manifest = await assertPublishableManifest(tarball);
    assert.deepEqual(manifest["bin"], { "openclaw-auth": "./bin/openclaw-auth.js" });
    assert.equal(manifest["dependencies"], undefined);
    const listed = ok(await run("tar", ["-tzf", tarball]), "tar")
      .stdout.trim()
      .split("\n");
    // The launcher, the Bun and the Node builds' chunks, and the openclaw-gateway skill.
    const bundled = /^package\/(bin\/[\w-]+|lib\/(bun|node)\/[\w-]+)\.js$/;
    assert.deepEqual(listed.filter((path) => !bundled.test(path)).sort(), [
      "package/README.md",
      "package/package.json",
      "package/skills/openclaw-gateway/SKILL.md",
    ]);
  });

  test(
    "publint and are-the-types-wrong (esm-only) find nothing",
    { timeout: TEST_TIMEOUT_MS },
    () => lintTarball(tarball, { types: false }),
  );

  test("installed with npm in a fresh project, npx openclaw-auth runs: --version, then a token from the gateway", {
    timeout: SETUP_TIMEOUT_MS,
  }, async () => {
    assert.ok(gateway);
    const project = join(work, "npm-consumer");
    await freshProject(project);
    ok(
      await run("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", tarball], {
        cwd: project,
        timeoutMs: SETUP_TIMEOUT_MS,
      }),
      "npm install",
    );
    const version = ok(
      await run("npx", ["--no-install", "openclaw-auth", "--version"], { cwd: project }),
      "npx",
    );
    assert.equal(version.stdout, "0.1.0\n");
    const env = await withRuntimeEnv(gateway, project);
    const token = ok(
      await run("npx", ["--no-install", "openclaw-auth", "token", "--json"], { cwd: project, env }),
      "npx openclaw-auth token",
    );
    assert.equal(lastJsonLine(token.stdout).source, "network");
    const warm = ok(
      await run("npx", ["--no-install", "openclaw-auth", "token", "--json"], { cwd: project, env }),
      "npx openclaw-auth token",
    );
    assert.equal(lastJsonLine(warm.stdout).source, "cache");
  });

  test("added with bun to a fresh project, bunx openclaw-auth --version runs", {
    timeout: SETUP_TIMEOUT_MS,
  }, async () => {
    const project = join(work, "bun-consumer");
    await freshProject(project);
    ok(await run(BUN, ["add", tarball], { cwd: project, timeoutMs: SETUP_TIMEOUT_MS }), "bun add");
    const version = ok(
      await run(BUN, ["x", "openclaw-auth", "--version"], { cwd: project }),
      "bunx",
    );
    assert.equal(version.stdout, "0.1.0\n");
  });
});

describe("the tarball of @openclaw/dev-gateway, installed with bun", () => {
  let work = "";
  let tarball = "";

  before(
    async () => {
      work = await outsideTheRepo("openclaw-pack-gateway-");
      tarball = await pack(GATEWAY_DIR, work);
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("its manifest is complete and it is linted clean", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await assertPublishableManifest(tarball);
    await lintTarball(tarball);
  });

  test("imported in a fresh project, it starts and issues a token", {
    timeout: SETUP_TIMEOUT_MS,
  }, async () => {
    const project = join(work, "consumer");
    await freshProject(project);
    ok(await run(BUN, ["add", tarball], { cwd: project, timeoutMs: SETUP_TIMEOUT_MS }), "bun add");
    await writeFile(
      join(project, "gateway.ts"),
      `import { DEFAULT_DEV_CLIENT_KEY, startDevGateway } from "@openclaw/dev-gateway";
const gateway = startDevGateway({ ttlSec: 60 });
const answer = await fetch(\`\${gateway.url}/auth/session\`, {
  method: "POST",
  body: JSON.stringify({ clientKey: DEFAULT_DEV_CLIENT_KEY }),
});
const body = (await answer.json()) as { accessToken?: string };
console.log(JSON.stringify({ status: answer.status, token: typeof body.accessToken }));
await gateway.stop();
`,
    );
    const child = ok(await run(BUN, ["gateway.ts"], { cwd: project }), "bun gateway.ts");
    assert.deepEqual(lastJsonLine(child.stdout), { status: 200, token: "string" });
  });
});
