/** The fenced code blocks of a Markdown file, with their info string and position. */

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string (`ts`, `sh`, …), "" when there is none. */
  readonly lang: string;
  readonly text: string;
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;

/**
 * Every fenced block of `markdown`, in order. A fence closes on a line that starts with the same
 * fence; blocks are read at the start of a line only (this repository's Markdown indents none).
 *
 * @example
 * codeBlocks("```ts\nlet a = 1;\n```\n"); // [{ line: 1, lang: "ts", text: "let a = 1;" }]
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const fence = open[1] ?? "```";
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? "").startsWith(fence)) body.push(lines[j++] ?? "");
    blocks.push({ line: i + 1, lang: open[2] ?? "", text: body.join("\n") });
    i = j;
  }
  return blocks;
}
