/**
 * Builds the publishable @openclaw/auth-runtime into dist/package/ (or the dir given as
 * `--outdir DIR`), after scripts/build.ts (whose declarations, Node builds of `./cache` and
 * `./config` and stubs it copies). Bun gets bundled JavaScript instead of our TypeScript source:
 *
 *   lib/runtime.cjs (+ .jsc)  `.` and `./adapter` in one CommonJS bundle with Bun's bytecode
 *                             cache beside it: the two entries share one copy of every module
 *                             (one runtime, one set of error classes), and a short script skips
 *                             parsing it. zod, dotenv and @opentelemetry/api stay external and
 *                             are still required only when a value needs them.
 *   lib/esm/                  the same, as ESM chunks, for bundlers (see {@link LOAD})
 *   lib/index.js, lib/adapter.js  ESM entries exporting their names from the runtime,
 *                             so each exports exactly the names of its source entry (a CommonJS
 *                             module imported from ESM would add `default`).
 *   lib/cache.js, lib/config.js  `./cache` and `./config` for Bun, each on its own (they hold no
 *                             state and no class, so a second copy of theirs is not observable).
 *
 * Bytecode is Bun's: a .jsc made by another Bun version is ignored and the JavaScript beside it
 * parsed as usual. Why CommonJS with bytecode and not ESM split into chunks (which Bun can build,
 * but with bytecode only into an executable): measured side by side under the same load, a
 * script that gets a warm token from the cache file paid 2.1-2.3x a raw read of the file through
 * ESM chunks, 1.6-1.7x through the bytecode bundle, 2.9x through the source (BENCHMARKS.md).
 * `--route split` builds the ESM route to measure it again; `--eager-builtins` leaves out
 * {@link lazyBuiltins}.
 *
 * packages/core/package.json stays the development manifest (its `bun` condition is the source,
 * so the workspace runs no build; it is private so it is never published by mistake); the
 * published manifest is derived from it here. Pack and publish from dist/package:
 * `cd packages/core/dist/package && bun pm pack` (or `npm publish`).
 */
import { copyFile, cp, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";
import dev from "../package.json" with { type: "json" };

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const { values } = parseArgs({
  options: {
    outdir: { type: "string" },
    route: { type: "string", default: "bytecode" },
    "eager-builtins": { type: "boolean", default: false },
  },
});
const out = resolve(values.outdir ?? join(root, "dist/package"));
const lib = join(out, "lib");
if (values.route !== "bytecode" && values.route !== "split") {
  throw new Error(`--route ${values.route}: use bytecode or split`);
}

/** What the dev manifest's `bun` conditions name, and the bundled file each becomes. */
const ENTRIES = {
  "./src/index.ts": "./lib/index.js",
  "./src/adapter.ts": "./lib/adapter.js",
  "./src/cache/cache-file.ts": "./lib/cache.js",
  "./src/config.ts": "./lib/config.js",
} as const;
type Source = keyof typeof ENTRIES;
const sourceOf = (entry: Source) => join(root, entry);
const EXTERNAL = ["zod", "zod/*", "dotenv", "@opentelemetry/api"];

/**
 * posix-files.ts imports node:fs/promises, node:os and node:path for writes, locks and the host
 * name, none of which a warm token from the cache file calls; loading them costs a fresh Bun
 * process about 1.5 ms. In the bundle each import becomes a getter that requires its module on
 * first call: the same functions, called with the same arguments, loaded later. Fails the build
 * when the source's import lines change, so they are never left eager without notice.
 */
const LAZY_IMPORTS: Record<string, { module: string; names: readonly string[] }> = {
  'import { chmod, link, mkdir, open, readdir, rename, unlink } from "node:fs/promises";': {
    module: "node:fs/promises",
    names: ["chmod", "link", "mkdir", "open", "readdir", "rename", "unlink"],
  },
  'import { hostname } from "node:os";': { module: "node:os", names: ["hostname"] },
  'import { dirname } from "node:path";': { module: "node:path", names: ["dirname"] },
};

const lazyBuiltins: BunPlugin = {
  name: "lazy-builtins",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]posix[\\/]posix-files\.ts$/ }, async (args) => {
      let text = await Bun.file(args.path).text();
      for (const [line, { module, names }] of Object.entries(LAZY_IMPORTS)) {
        if (!text.includes(line)) throw new Error(`${args.path}: no \`${line}\` to make lazy`);
        const loader = `lazy_${module.replace(/\W/g, "_")}`;
        const getters = names.map(
          (name) => `const ${name} = (...args: any[]) => ${loader}().${name}(...args);`,
        );
        text = text.replace(
          line,
          [
            `let ${loader}_module: any;`,
            `const ${loader} = () => (${loader}_module ??= require(${JSON.stringify(module)}));`,
            ...getters,
          ].join("\n"),
        );
      }
      return { contents: text, loader: "ts" };
    });
  },
};
const plugins = values["eager-builtins"] ? [] : [lazyBuiltins];

async function bundle(config: Parameters<typeof Bun.build>[0]): Promise<void> {
  const result = await Bun.build({
    target: "bun",
    external: EXTERNAL,
    // Identifiers keep their names: class and function names show in errors and stacks as
    // from source (minifying them measured no faster).
    minify: { whitespace: true, syntax: true },
    plugins,
    ...config,
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    process.exit(1);
  }
}

/** The names an entry exports (values; its types are in dist/*.d.ts). */
async function namesOf(entry: Source): Promise<string[]> {
  return Object.keys(await import(sourceOf(entry))).sort();
}

/**
 * How `.` and `./adapter` get the runtime. Bun runs runtime.cjs with its bytecode; a bundler
 * (`bun build`, `--compile`) reads that file's format as an empty module, so there the same
 * runtime comes from lib/esm/, ESM chunks a bundler follows as usual. Both entries decide alike
 * and `require` keeps one instance, so they always share one runtime. (In each entry itself: a
 * shared module for it measured 0.2 ms more per process.)
 */
const LOAD = `// Bun runs runtime.cjs with its bytecode; a bundler sees that file as an empty module and
// takes the same runtime from ./esm/ instead. (No \`// @bun\` atop this file: Bun's transpiler is
// what gives an ES module \`require\`.)
let runtime = require("./runtime.cjs");
if (typeof runtime.createAuthRuntime !== "function") runtime = require("./esm/runtime.js");
`;

/** `.` and `./adapter` in one bytecode bundle (and its ESM twin), each entry its names of it. */
async function bytecodeRoute(): Promise<void> {
  const shared: Source[] = ["./src/index.ts", "./src/adapter.ts"];
  const virtual: BunPlugin = {
    name: "runtime-entry",
    setup(build) {
      const path = join(src, "runtime.ts");
      build.onResolve({ filter: /^package-runtime$/ }, () => ({ path }));
      build.onLoad({ filter: /[\\/]src[\\/]runtime\.ts$/ }, () => ({
        contents: shared
          .map((entry) => `export * from ${JSON.stringify(sourceOf(entry))};`)
          .join("\n"),
        loader: "ts",
      }));
    },
  };
  await bundle({
    entrypoints: ["package-runtime"],
    format: "cjs",
    bytecode: true,
    outdir: lib,
    naming: "runtime.cjs",
    plugins: [virtual, ...plugins],
  });
  await bundle({
    entrypoints: ["package-runtime"],
    format: "esm",
    splitting: true,
    outdir: join(lib, "esm"),
    naming: { entry: "runtime.js", chunk: "chunk-[hash].[ext]" },
    plugins: [virtual, ...plugins],
  });
  for (const entry of shared) {
    const names = await namesOf(entry);
    await writeFile(
      join(out, ENTRIES[entry]),
      `// Generated by scripts/build-package.ts: ${entry.slice(2)}'s names, from the runtime bundle.\n${LOAD}\nexport const {\n  ${names.join(",\n  ")},\n} = runtime;\n`,
    );
  }
  for (const entry of ["./src/cache/cache-file.ts", "./src/config.ts"] as const) {
    await bundle({
      entrypoints: [sourceOf(entry)],
      format: "esm",
      outdir: lib,
      naming: ENTRIES[entry].slice("./lib/".length),
    });
  }
}

/** The route measured against it: the four entries as ESM, split into shared chunks. */
async function splitRoute(): Promise<void> {
  await bundle({
    entrypoints: (Object.keys(ENTRIES) as Source[]).map(sourceOf),
    format: "esm",
    splitting: true,
    outdir: lib,
    naming: { entry: "[name].[ext]", chunk: "chunk-[hash].[ext]" },
  });
  // Chunks import no entry, so the entry may take the name the manifest gives it.
  await rename(join(lib, "cache-file.js"), join(out, ENTRIES["./src/cache/cache-file.ts"]));
}

/** The dev manifest's exports with each `bun` condition on its bundle and no source condition. */
function publishedExports(): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const [path, target] of Object.entries(dev.exports)) {
    if (typeof target === "string") {
      exports[path] = target;
      continue;
    }
    const { "@openclaw/source": _source, ...conditions } = target as Record<string, string>;
    const bun = conditions.bun as Source | undefined;
    if (bun !== undefined) {
      if (!(bun in ENTRIES)) throw new Error(`exports["${path}"].bun: no bundle for ${bun}`);
      conditions.bun = ENTRIES[bun];
    }
    exports[path] = conditions;
  }
  return exports;
}

await rm(out, { recursive: true, force: true });
await mkdir(lib, { recursive: true });
await (values.route === "split" ? splitRoute() : bytecodeRoute());

// What scripts/build.ts made, as the dev manifest's `files` list it (less the source).
await mkdir(join(out, "dist"));
const built = await readdir(join(root, "dist"));
for (const file of built.filter((name) => /\.d\.ts$|^(cache|config)\.js$/.test(name))) {
  await copyFile(join(root, "dist", file), join(out, "dist", file));
}
for (const file of [
  "node-unsupported.js",
  "runtime-unsupported.js",
  "README.md",
  "README.redis.md",
]) {
  await cp(join(root, file), join(out, file));
}

const published = {
  name: dev.name,
  version: dev.version,
  description: dev.description,
  license: dev.license,
  repository: dev.repository,
  homepage: dev.homepage,
  bugs: dev.bugs,
  keywords: dev.keywords,
  type: dev.type,
  types: dev.types,
  exports: publishedExports(),
  files: ["lib", ...dev.files.filter((file) => !/^!?src\b/.test(file))],
  engines: dev.engines,
  sideEffects: dev.sideEffects,
  dependencies: dev.dependencies,
  peerDependencies: dev.peerDependencies,
  peerDependenciesMeta: dev.peerDependenciesMeta,
};
await writeFile(join(out, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
