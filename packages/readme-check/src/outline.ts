/**
 * The shape of a Markdown document that a translation must keep: how many headings of each
 * level, its code blocks in order (compared without comments, which are translated, and with
 * `<placeholders>` blanked; a `text` block is prose laid out, so only its line count), and the
 * row count of each table.
 */
import { codeBlocks } from "./code-blocks.ts";

export interface Outline {
  /** `headings[n]`: how many headings of level n + 1. */
  readonly headings: number[];
  readonly codeBlocks: string[];
  readonly tableRows: number[];
}

const HASH_COMMENTS = new Set(["sh", "bash", "shell", "ini"]);
const SLASH_COMMENTS = new Set(["ts", "js", "tsx", "jsx", "mjs"]);

function normalizeCode(lang: string, text: string): string {
  if (lang === "text" || lang === "") return `${lang}: ${text.split("\n").length} lines`;
  const lines = text.split("\n").map((line) => {
    let code = line;
    if (HASH_COMMENTS.has(lang)) code = code.replace(/(^|\s)#\s.*$/, "");
    // `//` preceded by a space or at the start: a comment, never the `//` of a URL.
    if (SLASH_COMMENTS.has(lang)) code = code.replace(/(^|\s)\/\/\s.*$/, "");
    return code.replace(/<[^<>\s][^<>]*>/g, "<>").trimEnd();
  });
  return `${lang}:\n${lines.filter((line) => line !== "").join("\n")}`;
}

/** The outline of `markdown` (headings and tables outside code blocks). */
export function outline(markdown: string): Outline {
  const headings: number[] = [0, 0, 0, 0, 0, 0];
  const tableRows: number[] = [];
  let fence: string | undefined;
  let rows = 0;
  for (const line of markdown.split("\n")) {
    const open = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (line.startsWith(fence)) fence = undefined;
      continue;
    }
    if (open) fence = open;
    if (line.startsWith("|")) {
      if (!/^\|[\s:|-]+\|$/.test(line.trim())) rows++;
      continue;
    }
    if (rows > 0) tableRows.push(rows);
    rows = 0;
    const heading = /^(#{1,6})\s/.exec(line)?.[1];
    if (heading && !open) headings[heading.length - 1] = (headings[heading.length - 1] ?? 0) + 1;
  }
  if (rows > 0) tableRows.push(rows);
  return {
    headings,
    codeBlocks: codeBlocks(markdown).map((block) => normalizeCode(block.lang, block.text)),
    tableRows,
  };
}
