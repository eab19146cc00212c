/**
 * Builds the publishable @openclaw/auth-cli into dist/package/: the `openclaw-auth` bin bundled
 * for Bun with its dependencies inside (the runtime, zod, dotenv, the dev gateway), so the one
 * tarball installs and runs alone, from the registry or from a file, without any other package of
 * this repository being published first.
 *
 * The bundle is split at the CLI's dynamic imports: the warm path of `token` (src/main.ts) loads
 * only its own small chunk and core's `./cache` rules, as it does from source, and each command
 * loads its chunk on demand (one unsplit file costs the warm path about 30 ms more: every module
 * of the CLI is parsed on each run). Split, src/main.ts becomes a chunk shared with cli.ts, where
 * `import.meta.main` is false; so in the bundle that test asks whether the program Bun started is
 * the bin (`Bun.main`, the path run, through the node_modules/.bin link or not).
 *
 * In the repository, apps/cli/package.json stays the development manifest (`main` is the source,
 * so `bun apps/cli …` runs without a build; it is private so it is never published by mistake);
 * the published manifest is written here from it. Pack and publish from dist/package:
 * `cd apps/cli/dist/package && bun pm pack` (or `npm publish`).
 */
import { chmod, copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BunPlugin } from "bun";
import dev from "../package.json" with { type: "json" };

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist/package");
const bin = join(out, "bin");

await rm(out, { recursive: true, force: true });
await mkdir(bin, { recursive: true });

const IS_BIN = String.raw`/[\\/]openclaw-auth(\.js)?$/.test(Bun.main)`;
const markMain: BunPlugin = {
  name: "main-is-the-bin",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]main\.ts$/ }, async (args) => {
      const text = await Bun.file(args.path).text();
      if (!text.includes("import.meta.main")) throw new Error(`${args.path}: no import.meta.main`);
      return { contents: text.replaceAll("import.meta.main", IS_BIN), loader: "ts" };
    });
  },
};

const bundle = await Bun.build({
  entrypoints: [join(root, "src/main.ts")],
  target: "bun",
  format: "esm",
  splitting: true,
  minify: { syntax: true, whitespace: true },
  outdir: bin,
  plugins: [markMain],
  naming: { entry: "openclaw-auth.js", chunk: "[name]-[hash].js" },
});
if (!bundle.success) {
  for (const log of bundle.logs) console.error(log);
  process.exit(1);
}
await chmod(join(bin, "openclaw-auth.js"), 0o755);

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
  files: ["bin", "README.md"],
  engines: dev.engines,
};
await writeFile(join(out, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
await copyFile(join(root, "README.md"), join(out, "README.md"));
