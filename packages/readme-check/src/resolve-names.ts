/**
 * Checks names against the packages as a consumer sees them: a throwaway project whose
 * node_modules links each workspace package by its name, one generated `.ts` file per document
 * that imports exactly the claimed names, compiled with the repository's TypeScript under
 * `moduleResolution: "bundler"` and no custom condition, so every entry resolves through its
 * exports map to the declarations it publishes (`dist/*.d.ts`: build first).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import type { NameClaim } from "./doc-names.ts";

export interface Unresolved {
  readonly claim: NameClaim;
  /** The compiler's message, e.g. `TS2305: Module '"@openclaw/auth-runtime"' has no exported member 'cacheKey'.` */
  readonly message: string;
}

/** The workspace packages by name, for the consumer's node_modules. */
async function workspacePackages(repo: string): Promise<Map<string, string>> {
  const packages = new Map<string, string>();
  for (const group of ["packages", "apps"]) {
    for (const dir of await readdir(join(repo, group))) {
      const path = join(repo, group, dir);
      const manifest = await readFile(join(path, "package.json"), "utf8").catch(() => undefined);
      const name = manifest ? (JSON.parse(manifest) as { name?: string }).name : undefined;
      if (name) packages.set(name, path);
    }
  }
  return packages;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["bun"],
};

/**
 * The claims whose name the package entry does not export (or whose entry does not resolve),
 * each with the compiler's message. A `mention` whose name is a global (`Headers`, `TypeError`)
 * claims nothing and is left out.
 */
export async function unresolvedNames(
  repo: string,
  claims: readonly NameClaim[],
): Promise<Unresolved[]> {
  const project = await mkdtemp(join(tmpdir(), "openclaw-doc-names-"));
  try {
    const scope = join(project, "node_modules", "@openclaw");
    await mkdir(scope, { recursive: true });
    for (const [name, path] of await workspacePackages(repo)) {
      if (name.startsWith("@openclaw/"))
        await symlink(path, join(scope, name.slice("@openclaw/".length)));
    }
    // A mention names a global when the name resolves here as a value or as a type.
    const mentioned = [...new Set(claims.filter((c) => c.how === "mention").map((c) => c.name))];
    const globalsFile = join(project, "globals.ts");
    await writeFile(
      globalsFile,
      `${mentioned.map((name, i) => `export const v${i} = ${name};\nexport type t${i} = ${name};`).join("\n")}\nexport {};\n`,
    );
    // One generated line per claim, so a diagnostic's line names its claim.
    const files = new Map<string, NameClaim[]>();
    claims.forEach((claim) => {
      const file = join(project, `${claim.doc.replace(/[^\w]+/g, "_")}.ts`);
      files.set(file, [...(files.get(file) ?? []), claim]);
    });
    for (const [file, list] of files) {
      const lines = list.map((claim, i) => {
        const from = JSON.stringify(claim.specifier);
        if (claim.name === "*") return `import type * as _${i} from ${from};`;
        if (claim.name === "default") return `import type _${i} from ${from};`;
        return `import type { ${claim.name} as _${i} } from ${from};`;
      });
      await writeFile(file, `${lines.join("\n")}\n`);
    }
    const program = ts.createProgram([globalsFile, ...files.keys()], {
      ...OPTIONS,
      typeRoots: [join(repo, "node_modules", "@types")],
    });
    const globalSource = program.getSourceFile(globalsFile);
    const failedLines = new Set(
      (globalSource ? program.getSemanticDiagnostics(globalSource) : []).map(
        (d) => globalSource?.getLineAndCharacterOfPosition(d.start ?? 0).line,
      ),
    );
    const globals = new Set(
      mentioned.filter((_, i) => !failedLines.has(2 * i) || !failedLines.has(2 * i + 1)),
    );
    const unresolved: Unresolved[] = [];
    for (const [file, list] of files) {
      const source = program.getSourceFile(file);
      if (!source) throw new Error(`the compiler did not load ${file}`);
      const diagnostics = [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ];
      for (const diagnostic of diagnostics) {
        const line = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
        const claim = list[line];
        if (!claim) throw new Error(`unexpected diagnostic in ${file}: ${diagnostic.messageText}`);
        if (claim.how === "mention" && globals.has(claim.name)) continue;
        const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
        unresolved.push({ claim, message: `TS${diagnostic.code}: ${text}` });
      }
    }
    return unresolved;
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}
