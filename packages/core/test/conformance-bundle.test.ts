/**
 * The conformance suite must run under Node too (issue 5): bundled for Node, it has no Bun-only
 * import and loads in a real `node` process.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("../../conformance/src/index.ts", import.meta.url));
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the conformance suite bundles for Node without Bun-only code and loads under node", async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-conformance-bundle-"));
  const result = await Bun.build({ entrypoints: [ENTRY], target: "node", outdir: dir });
  expect(result.success).toBe(true);
  const output = result.outputs[0];
  if (!output) throw new Error("no bundle output");
  const code = await output.text();
  expect(code).not.toMatch(/from\s+["']bun:|\bBun\.|@openclaw\/(auth-runtime|dev-gateway)/);

  const node = Bun.spawn(
    [
      "node",
      "--input-type=module",
      "-e",
      `const m = await import(${JSON.stringify(output.path)}); if (typeof m.defineConformanceSuite !== "function") process.exit(3);`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const stderr = await new Response(node.stderr).text();
  expect(await node.exited, stderr).toBe(0);
}, 60_000);
