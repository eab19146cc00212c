/**
 * The core's layers and the one rule between them: a module imports only from its own layer or
 * the layers below (docs/architecture.md). `bun test` runs the check (test/architecture.test.ts);
 * `bun scripts/layers.ts` prints what breaks it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * From the top down; a layer names the folders of `src/` in it (`.` for the entry files at the
 * root). Folders on one row are side by side: neither imports the other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["."],
  ["bun", "posix"],
  ["runtime"],
  ["request"],
  ["token"],
  ["grants", "stores"],
  ["http", "observe"],
  ["config"],
  ["platform"],
  ["errors"],
  ["cache"],
];

/** Runtime folders: imported only by the entries and by each other (Bun's uses the POSIX files). */
export const RUNTIME_FOLDERS: readonly string[] = ["bun", "posix"];

export interface Violation {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The relative imports of each file under `src`, as paths relative to `src`. */
export function importsOf(src: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(IMPORT)].map((m) =>
      relative(src, resolve(dirname(file), m[1] as string)),
    );
    graph.set(relative(src, file), [...new Set(targets)]);
  }
  return graph;
}

const folderOf = (path: string) => (path.includes("/") ? (path.split("/")[0] as string) : ".");

function layerOf(folder: string): number {
  return LAYERS.findIndex((row) => row.includes(folder));
}

/** Every import that runs the wrong way, up a layer or sideways across it, or into a runtime. */
export function layerViolations(graph: Map<string, string[]>): Violation[] {
  const violations: Violation[] = [];
  for (const [from, targets] of graph) {
    const fromFolder = folderOf(from);
    for (const to of targets) {
      const toFolder = folderOf(to);
      if (fromFolder === toFolder) continue;
      const [a, b] = [layerOf(fromFolder), layerOf(toFolder)];
      if (a < 0 || b < 0) {
        violations.push({ from, to, why: `${a < 0 ? fromFolder : toFolder}/ is in no layer` });
      } else if (RUNTIME_FOLDERS.includes(toFolder) && fromFolder !== ".") {
        if (!RUNTIME_FOLDERS.includes(fromFolder)) {
          violations.push({
            from,
            to,
            why: `${toFolder}/ is runtime code: only an entry imports it`,
          });
        }
      } else if (b < a) {
        violations.push({ from, to, why: `${toFolder}/ is a layer above ${fromFolder}/` });
      } else if (b === a) {
        violations.push({ from, to, why: `${toFolder}/ sits beside ${fromFolder}/, not below it` });
      }
    }
  }
  return violations;
}

/** The files in import circles (strongly connected components of more than one file). */
export function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Which folder imports which (the entry files at the root as "."), each pair once, sorted. */
export function folderArrows(graph: Map<string, string[]>): [string, string][] {
  const arrows = new Set<string>();
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a !== b) arrows.add(`${a} ${b}`);
    }
  }
  return [...arrows].sort().map((pair) => pair.split(" ") as [string, string]);
}

/**
 * The drawing of docs/architecture.md: one box per folder, a row per layer, an arrow per
 * folder that imports another, the entries' arrows left out (a Mermaid flowchart). The test that checks the layers checks the
 * drawing too, so the page cannot drift from the code.
 */
export function drawing(graph: Map<string, string[]>): string {
  const id = (folder: string) => (folder === "." ? "entries" : folder);
  const label = (folder: string) =>
    folder === "." ? "entries: index, adapter, config" : `${folder}/`;
  const lines = ["flowchart TD"];
  LAYERS.forEach((row, i) => {
    lines.push(`  subgraph L${i}[" "]`, "    direction LR");
    for (const folder of row) lines.push(`    ${id(folder)}["${label(folder)}"]`);
    lines.push("  end");
  });
  // The entries re-export from nearly every layer: their arrows would hide the others.
  for (const [from, to] of folderArrows(graph)) {
    if (from !== ".") lines.push(`  ${id(from)} --> ${id(to)}`);
  }
  return lines.join("\n");
}

if (import.meta.main && process.argv[2] === "--drawing") {
  console.log(drawing(importsOf(join(import.meta.dir, "../src"))));
  process.exit(0);
}

if (import.meta.main) {
  const src = process.argv[2] ?? join(import.meta.dir, "../src");
  const graph = importsOf(src);
  const violations = layerViolations(graph);
  for (const v of violations) console.log(`${v.from} -> ${v.to}: ${v.why}`);
  const found = circles(graph);
  for (const c of found) console.log(`circle: ${c.join(", ")}`);
  process.exit(violations.length > 0 || found.length > 0 ? 1 : 0);
}
