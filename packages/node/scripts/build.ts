/**
 * Builds dist/: `index.js`, core's logic and the Node binding bundled into one ESM file for Node
 * (zod and dotenv stay imports), and `index.d.ts` over tsc's declarations of the same sources.
 */
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

await rm(dist, { recursive: true, force: true });

const bundle = await Bun.build({
  entrypoints: [join(root, "src/index.ts")],
  target: "node",
  format: "esm",
  external: ["zod", "dotenv"],
  outdir: dist,
  naming: "index.js",
});
if (!bundle.success) {
  for (const log of bundle.logs) console.error(log);
  process.exit(1);
}

const tsc = Bun.spawnSync([process.execPath, "x", "tsc", "-p", join(root, "tsconfig.build.json")], {
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
});
if (tsc.exitCode !== 0) process.exit(tsc.exitCode ?? 1);

// The sources import each other as `./x.ts` (Bun's style); Node resolution wants `./x.js` in the
// published declarations.
async function rewriteSpecifiers(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await rewriteSpecifiers(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = await readFile(path, "utf8");
      await writeFile(path, text.replace(/(["'])(\.{1,2}\/[^"']*?)\.ts\1/g, "$1$2.js$1"));
    }
  }
}
await rewriteSpecifiers(join(dist, "types"));
await writeFile(
  join(dist, "index.d.ts"),
  `/** Types of @openclaw/auth-runtime-node (the declarations of its sources, under ./types). */\nexport * from "./types/node/src/index.js";\n`,
);
