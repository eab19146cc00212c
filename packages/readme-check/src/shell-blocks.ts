/** The shell blocks of a Markdown file: fenced code whose info string is sh, bash or shell. */
import { type CodeBlock, codeBlocks } from "./code-blocks.ts";

export type ShellBlock = Pick<CodeBlock, "line" | "text">;

const SHELL = new Set(["sh", "bash", "shell"]);

/**
 * Every fenced block of `markdown` tagged sh, bash or shell, in order.
 *
 * @example
 * shellBlocks("```sh\necho hi\n```\n"); // [{ line: 1, text: "echo hi" }]
 */
export function shellBlocks(markdown: string): ShellBlock[] {
  return codeBlocks(markdown)
    .filter((block) => SHELL.has(block.lang))
    .map(({ line, text }) => ({ line, text }));
}
