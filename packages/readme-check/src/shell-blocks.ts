/** The shell blocks of a Markdown file: fenced code whose info string is sh, bash or shell. */

export interface ShellBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly text: string;
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;
const SHELL = new Set(["sh", "bash", "shell"]);

/**
 * Every fenced block of `markdown` tagged sh, bash or shell, in order.
 *
 * @example
 * shellBlocks("```sh\necho hi\n```\n"); // [{ line: 1, text: "echo hi" }]
 */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split("\n");
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const fence = open[1] ?? "```";
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? "").startsWith(fence)) body.push(lines[j++] ?? "");
    if (SHELL.has(open[2] ?? "")) blocks.push({ line: i + 1, text: body.join("\n") });
    i = j;
  }
  return blocks;
}
