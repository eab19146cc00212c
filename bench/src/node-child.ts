/**
 * Runs the request-overhead benchmark under Node: builds @openclaw/auth-runtime-node when its
 * dist is missing or older than its sources, bundles the Node entry (the runtime and mitata stay
 * imports, resolved from bench/node_modules), and runs it in a `node` child process.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RequestOverheadOptions, RequestOverheadResult } from "./request-overhead.ts";

const benchDir = join(import.meta.dir, "..");
const repoDir = join(benchDir, "..");
const nodePackageDir = join(repoDir, "packages/node");
const buildDir = join(benchDir, ".build");

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Builds packages/node when its dist would not be the code under test. */
export function ensureNodePackageBuilt(log: (line: string) => void): void {
  const built = mtimeMs(join(nodePackageDir, "dist/index.js"));
  const sources = Math.max(
    newestMtimeMs(join(repoDir, "packages/core/src")),
    newestMtimeMs(join(nodePackageDir, "src")),
  );
  if (built >= sources) return;
  log("building packages/node (its dist is missing or older than the sources)");
  const build = Bun.spawnSync(["bun", "run", "build"], {
    cwd: nodePackageDir,
    stdout: "ignore",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) {
    throw new Error(`packages/node build failed: ${build.stderr.toString().trim()}`);
  }
}

/** Bundles the Node entry next to bench/node_modules and answers its path. */
async function buildNodeEntry(): Promise<string> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, "node/request-overhead.ts")],
    target: "node",
    format: "esm",
    packages: "external",
    outdir: buildDir,
    naming: "node-request-overhead.mjs",
  });
  if (!result.success) {
    throw new Error(`bundling the Node benchmark failed: ${result.logs.join("\n")}`);
  }
  return join(buildDir, "node-request-overhead.mjs");
}

/** The request overhead measured by a `node` child process. */
export async function measureNodeRequestOverhead(
  options: RequestOverheadOptions,
  log: (line: string) => void,
): Promise<RequestOverheadResult & { readonly node: string }> {
  ensureNodePackageBuilt(log);
  const entry = await buildNodeEntry();
  const child = Bun.spawn(["node", "--expose-gc", entry, JSON.stringify(options)], {
    cwd: benchDir,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`the node benchmark exited with ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}
