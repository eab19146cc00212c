/**
 * Builds the publishable @openclaw/auth-cli into dist/package/ (or the dir given as
 * `--outdir DIR`): the CLI bundled twice with its dependencies inside (the runtime, zod, dotenv,
 * the dev gateway), so the one tarball installs and runs alone, from the registry or from a file,
 * without any other package of this repository being published first:
 *
 *   bin/openclaw-auth.js   the bin: a shell/JS launcher (scripts/launcher.sh) that runs the CLI
 *                          on Bun when `bun` is on PATH, else on Node >= 20
 *   lib/bun/               the CLI for Bun, over @openclaw/auth-runtime
 *   lib/node/              the CLI for Node, over @openclaw/auth-runtime-node's entries (core's
 *                          runtime made with Node's binding), the few Bun APIs the CLI uses
 *                          from scripts/node/bun-shim.ts, and no dev gateway (a Bun server)
 *   skills/openclaw-gateway/  the OpenClaw skill (`openclaw-auth skill install` writes it out)
 *
 * Each bundle is split at the CLI's dynamic imports: the warm path of `token` (src/main.ts) loads
 * only its own small chunk and core's `./cache` rules, as it does from source, and each command
 * loads its chunk on demand (one unsplit file costs the warm path about 30 ms more: every module
 * of the CLI is parsed on each run). Split, src/main.ts becomes a chunk shared with cli.ts, where
 * `import.meta.main` is false; so in the bundles that test asks whether the program the runtime
 * started is the bin (`Bun.main`, `process.argv[1]`: the path run, through the
 * node_modules/.bin link or not).
 *
 * In the repository, apps/cli/package.json stays the development manifest (`main` is the source,
 * so `bun apps/cli …` runs without a build; it is private so it is never published by mistake);
 * the published manifest is written here from it. Pack and publish from dist/package:
 * `cd apps/cli/dist/package && npm pack` (or `npm publish`).
 */
import { chmod, copyFile, cp, mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";
import dev from "../package.json" with { type: "json" };

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = resolve(root, "../..");
const { values } = parseArgs({ options: { outdir: { type: "string" } } });
const out = resolve(values.outdir ?? join(root, "dist/package"));

/** The test of "this process runs the bin" that replaces `import.meta.main` in src/main.ts. */
const IS_BIN = {
  bun: String.raw`/[\\/]openclaw-auth(\.js)?$/.test(Bun.main)`,
  node: String.raw`/[\\/]openclaw-auth(\.js)?$/.test(process.argv[1] ?? "")`,
};

function markMain(target: keyof typeof IS_BIN): BunPlugin {
  return {
    name: "main-is-the-bin",
    setup(build) {
      build.onLoad({ filter: /[\\/]apps[\\/]cli[\\/]src[\\/]main\.ts$/ }, async (args) => {
        const text = await Bun.file(args.path).text();
        if (!text.includes("import.meta.main"))
          throw new Error(`${args.path}: no import.meta.main`);
        const contents = text.replaceAll("import.meta.main", IS_BIN[target]);
        return {
          contents: target === "node" ? withBunShim(contents, args.path) : contents,
          loader: "ts",
        };
      });
      if (target !== "node") return;
      build.onLoad({ filter: /[\\/]apps[\\/]cli[\\/]src[\\/].*\.ts$/ }, async (args) => {
        if (/[\\/]src[\\/]main\.ts$/.test(args.path)) return undefined;
        return { contents: withBunShim(await Bun.file(args.path).text(), args.path), loader: "ts" };
      });
    },
  };
}

const SHIM = join(root, "scripts/node/bun-shim.ts");
const shim = await import(SHIM);

/**
 * A CLI module for Node: `Bun` there is the shim's (a module-local binding, nothing global).
 * Fails on a `Bun.` member the shim lacks, so the Node build never meets one at run time.
 */
function withBunShim(text: string, path: string): string {
  const used = new Set([...text.matchAll(/\bBun\.(\w+)/g)].map((match) => match[1] as string));
  if (used.size === 0) return text;
  const missing = [...used].filter((name) => !(name in shim.Bun));
  if (missing.length > 0) {
    throw new Error(`${path}: Bun.${missing.join(", Bun.")} has no Node version in ${SHIM}`);
  }
  // After the shebang, which must stay the first line.
  const shebang = /^#!.*\n/.exec(text)?.[0] ?? "";
  return `${shebang}import { Bun } from ${JSON.stringify(SHIM)};\n${text.slice(shebang.length)}`;
}

/**
 * The Node build resolves the runtime as @openclaw/auth-runtime-node is built (packages/node):
 * the CLI's imports of `@openclaw/auth-runtime[/adapter]` get packages/node's entries, whose own
 * imports get core's sources (never core's `.`, which is Bun's); the dev gateway is replaced
 * (see its stub).
 */
const nodeRuntime: BunPlugin = {
  name: "node-runtime",
  setup(build) {
    const node = join(repo, "packages/node/src");
    const core = join(repo, "packages/core/src");
    const forCli: Record<string, string> = {
      "@openclaw/auth-runtime": join(node, "index.ts"),
      "@openclaw/auth-runtime/adapter": join(node, "adapter.ts"),
      "@openclaw/auth-runtime/cache": join(core, "cache/cache-file.ts"),
      "@openclaw/auth-runtime/config": join(core, "config.ts"),
      "@openclaw/dev-gateway": join(root, "scripts/node/dev-gateway.ts"),
    };
    const forRuntime: Record<string, string> = {
      "@openclaw/auth-runtime/adapter": join(core, "adapter.ts"),
      "@openclaw/auth-runtime/cache": join(core, "cache/cache-file.ts"),
      "@openclaw/auth-runtime/config": join(core, "config.ts"),
      "@openclaw/auth-runtime/user-api": join(core, "user-api.ts"),
    };
    build.onResolve({ filter: /^@openclaw\/(auth-runtime(\/[\w-]+)?|dev-gateway)$/ }, (args) => {
      const inRuntime = args.importer.startsWith(node) || args.importer.startsWith(core);
      const path = (inRuntime ? forRuntime : forCli)[args.path];
      if (!path) throw new Error(`node build: no target for ${args.path} from ${args.importer}`);
      return { path };
    });
  },
};

async function bundle(target: "bun" | "node"): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(root, "src/main.ts")],
    target,
    format: "esm",
    splitting: true,
    minify: { syntax: true, whitespace: true },
    outdir: join(out, "lib", target),
    plugins: target === "node" ? [markMain("node"), nodeRuntime] : [markMain("bun")],
    naming: { entry: "main.js", chunk: "[name]-[hash].js" },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    process.exit(1);
  }
}

await rm(out, { recursive: true, force: true });
await mkdir(join(out, "bin"), { recursive: true });
await bundle("bun");
await bundle("node");
await copyFile(join(root, "scripts/launcher.sh"), join(out, "bin/openclaw-auth.js"));
await chmod(join(out, "bin/openclaw-auth.js"), 0o755);
await cp(join(repo, "skills/openclaw-gateway"), join(out, "skills/openclaw-gateway"), {
  recursive: true,
});

const published = {
  name: dev.name,
  version: dev.version,
  description: dev.description,
  license: dev.license,
  repository: dev.repository,
  homepage: dev.homepage,
  bugs: dev.bugs,
  keywords: dev.keywords,
  type: "module",
  bin: { "openclaw-auth": "./bin/openclaw-auth.js" },
  files: ["bin", "lib", "skills", "README.md"],
  engines: { node: ">=20", bun: dev.engines.bun },
};
await writeFile(join(out, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
await copyFile(join(root, "README.md"), join(out, "README.md"));
