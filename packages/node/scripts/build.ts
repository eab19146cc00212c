/**
 * Builds dist/ for Node: `index.js` and `adapter.js` (this package's entries over core's sources,
 * and a shared chunk, so both entries share one copy of core; zod and dotenv stay imports) and `index.d.ts`/`adapter.d.ts`, the declarations of the same entries
 * bundled into self-contained files: a consumer sees this package's types, not core's files.
 */
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BunPlugin } from "bun";
import { type Plugin as RollupPlugin, rollup } from "rollup";
import { dts } from "rollup-plugin-dts";
import { keepClassNames } from "./keep-class-names.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const core = join(root, "../core/src");
const dist = join(root, "dist");

/**
 * Where the build finds core's sources: the entries this package imports, and
 * `@openclaw/auth-runtime/user-api`, the user API's runtime-neutral names, which is no entry of
 * core (an export that resolves for nobody outside the workspace is what attw rightly refuses).
 * Never core's `.`, which is Bun's.
 */
const targets: Record<string, string> = {
  "@openclaw/auth-runtime/adapter": join(core, "adapter.ts"),
  "@openclaw/auth-runtime/cache": join(core, "cache/cache-file.ts"),
  "@openclaw/auth-runtime/config": join(core, "config.ts"),
  "@openclaw/auth-runtime/user-api": join(core, "user-api.ts"),
};

await rm(dist, { recursive: true, force: true });

const coreSources: BunPlugin = {
  name: "core-sources",
  setup(build) {
    build.onResolve({ filter: /^@openclaw\/auth-runtime(\/[\w-]+)?$/ }, (args) => {
      const path = targets[args.path];
      if (!path)
        throw new Error(`node build: ${args.path} (from ${args.importer}) is not for Node`);
      return { path };
    });
  },
};

const bundle = await Bun.build({
  entrypoints: [join(root, "src/index.ts"), join(root, "src/adapter.ts")],
  target: "node",
  format: "esm",
  splitting: true,
  external: ["zod", "dotenv"],
  outdir: dist,
  naming: { entry: "[name].js", chunk: "shared-[hash].js" },
  plugins: [coreSources],
  // Linked maps with the sources in them: `node --enable-source-maps` prints src/….ts frames.
  sourcemap: "linked",
});
if (!bundle.success) {
  for (const log of bundle.logs) console.error(log);
  process.exit(1);
}
// Bundling renames classes whose names collide (ConfigError becomes ConfigError2), and Node
// prints an uncaught error by its class's name; Bun's keepNames does not help (keep-class-names.ts).
for (const output of bundle.outputs) {
  if (output.kind === "sourcemap" || !output.path.endsWith(".js")) continue;
  const map = JSON.parse(await readFile(`${output.path}.map`, "utf8")) as {
    sourcesContent?: string[];
  };
  const code = await readFile(output.path, "utf8");
  const named = keepClassNames(code, map.sourcesContent ?? []);
  if (named !== code) await writeFile(output.path, named);
}

const resolveCore: RollupPlugin = {
  name: "resolve-core",
  resolveId: (source) => targets[source] ?? null,
};
const types = await rollup({
  input: { index: join(root, "src/index.ts"), adapter: join(root, "src/adapter.ts") },
  plugins: [
    resolveCore,
    dts({
      tsconfig: join(root, "tsconfig.build.json"),
      compilerOptions: { allowImportingTsExtensions: true },
    }),
  ],
  external: ["zod", "zod/mini", "dotenv"],
});
await types.write({ dir: dist, format: "es", chunkFileNames: "shared-[hash].d.ts" });
await types.close();

// What a browser or edge bundle resolves for this package (the `browser`/`worker`/… conditions):
// core's build makes it from the same entries, naming what runs where.
await copyFile(join(root, "../core/runtime-unsupported.js"), join(dist, "runtime-unsupported.js"));
