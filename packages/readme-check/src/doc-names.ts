/**
 * What a document says a package exports: the names of every `import … from "@openclaw/…"` (and
 * `import type`, `export … from`) in its code blocks, and, in a package README's API sections, the
 * names it presents as that package's API without an import line.
 */
import { codeBlocks } from "./code-blocks.ts";

export interface NameClaim {
  /** The document, as given to {@link docNames}. */
  readonly doc: string;
  /** 1-based line in the document. */
  readonly line: number;
  /** The module the name is said to come from, e.g. `@openclaw/auth-runtime/adapter`. */
  readonly specifier: string;
  /** An exported name; `default` for a default import, `*` when only the module must resolve. */
  readonly name: string;
  /**
   * `import`: written in an import or re-export; `api`: an API entry (`**\`name(…)\`**`) or an
   * "Also exported:" list of a package README; `mention`: a capitalised code span in an API
   * section (`ApiResponse`, `new MemoryTokenStore()`), a claim unless the name is a global.
   */
  readonly how: "import" | "api" | "mention";
}

const OURS = String.raw`@openclaw\/[\w./-]+`;
const NAMED = new RegExp(
  String.raw`\b(?:import|export)\s+(?:type\s+)?(?:([\w$]+)\s*,\s*)?\{([^}]*)\}\s*from\s*["'](${OURS})["']`,
  "g",
);
const DEFAULT = new RegExp(
  String.raw`\bimport\s+(?:type\s+)?([\w$]+)\s+from\s*["'](${OURS})["']`,
  "g",
);
const NAMESPACE = new RegExp(
  String.raw`\b(?:import|export)\s+(?:type\s+)?\*(?:\s+as\s+[\w$]+)?\s+from\s*["'](${OURS})["']`,
  "g",
);

const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/** `a`, `type b`, `c as d` -> the exported names a, b, c. */
function importedNames(list: string): string[] {
  return list
    .split(",")
    .map(
      (item) =>
        item
          .trim()
          .replace(/^type\s+/, "")
          .split(/\s+as\s+/)[0] ?? "",
    )
    .filter((name) => /^[\w$]+$/.test(name));
}

/** The names imported from our packages in the code blocks of `markdown`. */
export function importClaims(doc: string, markdown: string): NameClaim[] {
  const claims: NameClaim[] = [];
  for (const block of codeBlocks(markdown)) {
    const at = (index: number) => block.line + lineOf(block.text, index);
    for (const m of block.text.matchAll(NAMED)) {
      const specifier = m[3] ?? "";
      const names = [...(m[1] ? ["default"] : []), ...importedNames(m[2] ?? "")];
      for (const name of names)
        claims.push({ doc, line: at(m.index), specifier, name, how: "import" });
    }
    for (const m of block.text.matchAll(DEFAULT)) {
      claims.push({
        doc,
        line: at(m.index),
        specifier: m[2] ?? "",
        name: "default",
        how: "import",
      });
    }
    for (const m of block.text.matchAll(NAMESPACE)) {
      claims.push({ doc, line: at(m.index), specifier: m[1] ?? "", name: "*", how: "import" });
    }
  }
  return claims;
}

const HEADING = /^(#{1,6})\s+(.*)$/;
const SPEC_IN_CODE = new RegExp(String.raw`\`(${OURS})\``);
const API_HEAD = /\*\*`([A-Za-z_$][\w$]*)/g;
const ALSO_EXPORTED = /Also exported:([\s\S]*?)(?:\.\s|\.$|$)/g;
const CODE_NAME = /`([A-Za-z_$][\w$]*)`/g;
const CAPITALISED = /`(?:new\s+)?([A-Z][a-z][\w$]*)(?=[`(<.{\s])/g;

/**
 * The names a package README presents as its API: in every section whose level-2 heading says
 * "API", the bold API entries, the "Also exported:" lists and capitalised code spans. They are
 * claimed for the package of the README's title, or for the entry a heading names in code
 * (`### \`@openclaw/auth-runtime/adapter\``). A README whose title is no package claims nothing.
 */
export function apiClaims(doc: string, markdown: string): NameClaim[] {
  const lines = markdown.split("\n");
  const title = new RegExp(String.raw`^#\s+(${OURS})\s*$`).exec(lines[0] ?? "")?.[1];
  if (!title) return [];
  const claims: NameClaim[] = [];
  let inApi = false;
  let entry = title;
  let sectionEntry = title;
  let paragraph: string[] = [];
  let start = 0;
  const flush = () => {
    const text = paragraph.join("\n");
    paragraph = [];
    if (!inApi || !text) return;
    const claim = (index: number, name: string, how: NameClaim["how"]) =>
      claims.push({ doc, line: start + lineOf(text, index) - 1, specifier: entry, name, how });
    for (const m of text.matchAll(API_HEAD)) claim(m.index, m[1] ?? "", "api");
    for (const m of text.matchAll(ALSO_EXPORTED)) {
      for (const n of (m[1] ?? "").matchAll(CODE_NAME)) {
        claim(m.index + "Also exported:".length + n.index, n[1] ?? "", "api");
      }
    }
    for (const m of text.matchAll(CAPITALISED)) claim(m.index, m[1] ?? "", "mention");
  };
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const open = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (line.startsWith(fence)) fence = undefined;
      return;
    }
    if (open) {
      flush();
      fence = open;
      return;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1]?.length ?? 1;
      const named = SPEC_IN_CODE.exec(heading[2] ?? "")?.[1];
      if (level <= 2) {
        inApi = level === 2 && /\bAPI\b/.test(heading[2] ?? "");
        sectionEntry = named ?? title;
      }
      entry = named ?? sectionEntry;
      return;
    }
    if (!line.trim()) {
      flush();
      return;
    }
    if (paragraph.length === 0) start = index + 1;
    paragraph.push(line);
  });
  flush();
  return claims;
}
