/**
 * Builds the Node test files to .test-build/ for `node --test`: each test file and the client
 * fixture bundled for Node, with the conformance suite and the dev-gateway client inside, and
 * `@openclaw/auth-runtime-node` left as an import, so the tests run against the built dist/.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = join(root, ".test-build");
const testDir = join(root, "test");

await rm(outdir, { recursive: true, force: true });
const entries = (await readdir(testDir))
  .filter((name) => name.endsWith(".node.ts"))
  .map((name) => join(testDir, name));

const result = await Bun.build({
  entrypoints: [...entries, join(testDir, "fixtures/client.ts")],
  target: "node",
  format: "esm",
  outdir,
  // Bundled per entry: each file of `node --test` runs in its own process anyway.
  splitting: false,
  naming: "[name].js",
  external: ["@openclaw/auth-runtime-node", "@openclaw/auth-runtime-node/adapter", "zod", "dotenv"],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
