/**
 * Every name a document shows as importable is exported where it says: each `import { … } from
 * "@openclaw/…"` (and `import type`, `export … from`) in a code block of any Markdown file of the
 * repository (READMEs, docs/*.md, the skills' SKILL.md), and each name a package README's API
 * section presents as that package's API, compiled as a consumer compiles it
 * (src/resolve-names.ts: the published declarations, `bun run build` first). A reader who pastes
 * an import from the docs gets no TS2305.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { apiClaims, importClaims, type NameClaim } from "../src/doc-names.ts";
import { documents } from "../src/docs.ts";
import { unresolvedNames } from "../src/resolve-names.ts";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
/** Compiling against every package's declarations takes a few seconds on a busy machine. */
const COMPILE_TIMEOUT_MS = 120_000;

const docs = await documents(REPO);
const claims: NameClaim[] = [];
for (const doc of docs) {
  const markdown = await readFile(join(REPO, doc), "utf8");
  claims.push(...importClaims(doc, markdown), ...apiClaims(doc, markdown));
}

/** The published entries of core (`.`, `./adapter`, …): those with declarations to resolve. */
async function coreEntries(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(REPO, "packages/core/package.json"), "utf8")) as {
    exports: Record<string, string | Record<string, string>>;
  };
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === "object" && "types" in target)
    .map(([subpath]) => `@openclaw/auth-runtime${subpath.slice(1)}`);
}

describe("names shown in the docs", () => {
  test("every Markdown file of the repository is read", () => {
    const git = spawnSync("git", ["ls-files", "*.md"], { cwd: REPO, encoding: "utf8" });
    expect(git.status).toBe(0);
    const tracked = git.stdout.split("\n").filter(Boolean);
    expect(tracked).toContain("skills/openclaw-gateway/SKILL.md");
    expect(tracked.filter((doc) => !docs.includes(doc))).toEqual([]);
  });

  test("the docs show an import from every entry of core", async () => {
    const shown = new Set(
      claims.filter((claim) => claim.how === "import").map((claim) => claim.specifier),
    );
    const entries = await coreEntries();
    expect(entries).toEqual(expect.arrayContaining(["@openclaw/auth-runtime/config"]));
    expect(entries.filter((entry) => !shown.has(entry))).toEqual([]);
  });

  test("the docs show imports from the published packages and API names to check", () => {
    const imports = claims.filter((claim) => claim.how === "import");
    expect(new Set(imports.map((claim) => claim.specifier))).toContain("@openclaw/auth-runtime");
    expect(new Set(imports.map((claim) => claim.doc))).toContain("README.zh-CN.md");
    expect(claims.filter((claim) => claim.how === "api").length).toBeGreaterThan(10);
  });

  test(
    "every name imported or presented as API in a README or docs/*.md is exported by its package entry",
    async () => {
      const unresolved = await unresolvedNames(REPO, claims);
      const lines = unresolved.map(
        ({ claim, message }) =>
          `${claim.doc}:${claim.line}: ${claim.name} from ${claim.specifier} (${claim.how}): ${message}`,
      );
      expect(lines).toEqual([]);
    },
    COMPILE_TIMEOUT_MS,
  );
});
