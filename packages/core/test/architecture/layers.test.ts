/**
 * The house rules of docs/architecture.md, checked on the code as it is: the core's imports run
 * down its layers; no workspace package has an import circle; the core's folders stay small.
 */
import { describe, expect, test } from "bun:test";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { circles, drawing, importsOf, layerViolations } from "../../scripts/layers.ts";

const CORE_SRC = join(import.meta.dir, "../../src");
const REPO = join(import.meta.dir, "../../../..");
const SCRIPT = join(import.meta.dir, "../../scripts/layers.ts");

function lineCounts(dir: string): [string, number][] {
  return readdirSync(dir).flatMap((name): [string, number][] => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return lineCounts(path);
    return name.endsWith(".ts") ? [[path, readFileSync(path, "utf8").split("\n").length - 1]] : [];
  });
}

describe("the core's layers", () => {
  test("every import of packages/core/src runs down the layers, and none runs in a circle", () => {
    const graph = importsOf(CORE_SRC);
    expect(layerViolations(graph)).toEqual([]);
    expect(circles(graph)).toEqual([]);
  });

  test("an import that runs the wrong way fails the check, naming both files", async () => {
    const copy = mkdtempSync(join(tmpdir(), "layers-"));
    try {
      cpSync(CORE_SRC, copy, { recursive: true });
      const errors = join(copy, "errors/errors.ts");
      // errors/ is near the ground; the token layer is far above it.
      writeFileSync(errors, `import "../token/token-manager.ts";\n${readFileSync(errors, "utf8")}`);
      const check = Bun.spawnSync([process.execPath, SCRIPT, copy]);
      expect(check.exitCode).toBe(1);
      expect(check.stdout.toString()).toContain(
        "errors/errors.ts -> token/token-manager.ts: token/ is a layer above errors/",
      );
      // The same import also closes a circle (token/ imports errors/), which is reported too.
      expect(check.stdout.toString()).toContain("circle: ");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test("runtime code (bun/, posix/) is imported only by an entry", () => {
    const graph = new Map([
      ["index.ts", ["bun/bun-binding.ts"]],
      ["bun/bun-binding.ts", ["posix/posix-files.ts", "runtime/runtime.ts"]],
      ["runtime/runtime.ts", ["bun/bun-platform.ts"]],
    ]);
    expect(layerViolations(graph)).toEqual([
      {
        from: "runtime/runtime.ts",
        to: "bun/bun-platform.ts",
        why: "bun/ is runtime code: only an entry imports it",
      },
    ]);
  });

  test("docs/architecture.md draws the imports as they are", () => {
    const page = readFileSync(join(REPO, "docs/architecture.md"), "utf8");
    const drawn = page.match(/```mermaid\n([\s\S]*?)\n```/)?.[1];
    expect(drawn).toBe(drawing(importsOf(CORE_SRC)));
  });

  test("no file of packages/core/src is over 400 lines, and at most 8 sit at its root", () => {
    const long = lineCounts(CORE_SRC).filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
    const atRoot = readdirSync(CORE_SRC).filter((name) => name.endsWith(".ts"));
    expect(atRoot.length).toBeLessThanOrEqual(8);
  });
});

describe("the package's faces", () => {
  test("./cache holds the cache-file contract (at most 15 values), ./adapter at most 20", async () => {
    const cache = Object.keys(await import("../../src/cache/cache-file.ts"));
    const adapter = Object.keys(await import("../../src/adapter.ts"));
    expect(cache.length).toBeLessThanOrEqual(15);
    expect(adapter.length).toBeLessThanOrEqual(20);
    // The contract shared with the Python port: names, hash input, content, limits, serving.
    expect(cache.sort()).toEqual([
      "ACCESS_TOKEN_PATTERN",
      "DEFAULT_MAX_TTL_SEC",
      "MAX_CACHE_FILE_BYTES",
      "cacheFileName",
      "cacheKeyFromDigest",
      "cacheKeyText",
      "clientCredentialsKeyText",
      "discoveryFileName",
      "isServable",
      "isValidAccessToken",
      "lockFileName",
      "outlivesMaxTtl",
      "parseCacheFile",
      "refreshMarginSec",
      "toCacheFile",
    ]);
  });
});

describe("the other packages", () => {
  for (const dir of [
    "apps/cli/src",
    "packages/conformance/src",
    "packages/dev-gateway/src",
    "packages/node/src",
  ]) {
    test(`${dir} has no import circle`, () => {
      expect(circles(importsOf(join(REPO, dir)))).toEqual([]);
    });
  }
});
