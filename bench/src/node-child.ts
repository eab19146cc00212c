/**
 * Runs benchmarks under Node: builds @openclaw/auth-runtime-node when its dist is missing or older
 * than its sources, bundles a Node entry (the runtime, mitata and the peers stay imports, resolved
 * from bench/node_modules), and runs it in a `node` child process.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RequestOverheadOptions, RequestOverheadResult } from "./request-overhead.ts";
import type { SoakOptions, SoakResult } from "./soak.ts";

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

/** The Node entries (bench/src/node/*.ts), by name. */
type NodeEntry = "request-overhead" | "soak";

/**
 * Packages the Node child imports from bench/node_modules; the rest (the dev gateway's admin
 * client, whose package exports only TypeScript) is bundled in.
 */
const NODE_EXTERNALS = [
  "@openclaw/auth-runtime-node",
  "mitata",
  "ky",
  "axios",
  "axios-auth-refresh",
];

/** Bundles a Node entry next to bench/node_modules and answers its path. */
async function buildNodeEntry(name: NodeEntry): Promise<string> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, `node/${name}.ts`)],
    target: "node",
    format: "esm",
    external: NODE_EXTERNALS,
    outdir: buildDir,
    naming: `node-${name}.mjs`,
  });
  if (!result.success) {
    throw new Error(`bundling the Node benchmark failed: ${result.logs.join("\n")}`);
  }
  return join(buildDir, `node-${name}.mjs`);
}

/** Runs a Node entry with `options` as its JSON argument and answers its last stdout line. */
export async function runNodeChild<T>(
  name: NodeEntry,
  options: unknown,
  log: (line: string) => void,
): Promise<T> {
  ensureNodePackageBuilt(log);
  const entry = await buildNodeEntry(name);
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
  if (code !== 0)
    throw new Error(`the node ${name} benchmark exited with ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as T;
}

/** The request overhead (and the peers') measured by a `node` child process. */
export function measureNodeRequestOverhead(
  options: RequestOverheadOptions,
  log: (line: string) => void,
): Promise<RequestOverheadResult & { readonly node: string }> {
  return runNodeChild("request-overhead", options, log);
}

/** The soak in a `node` child process, with @openclaw/auth-runtime-node. */
export function nodeSoak(options: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  return runNodeChild("soak", options, log);
}
