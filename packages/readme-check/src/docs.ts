/** The documents of the repository a reader may copy code from, repository-relative. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** What is no document of ours: installed packages, build output, tool and VCS state. */
const SKIPPED = (dir: string) => dir === "node_modules" || dir === "dist" || dir.startsWith(".");

/**
 * Every Markdown file of the repository: README.md and its translation, each package's and app's
 * README*.md, docs/*.md, the skills' SKILL.md files and any other page, wherever it sits (the
 * root's first, then by path). None is left out by where it lives: a page that shows an import
 * is a page a reader copies from.
 */
export async function documents(repo: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(join(repo, dir), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED(entry.name)) await walk(path);
      } else if (entry.isFile() && entry.name.endsWith(".md")) {
        found.push(path);
      }
    }
  };
  await walk("");
  const first = ["README.md", "README.zh-CN.md"].filter((doc) => found.includes(doc));
  return [...first, ...found.filter((doc) => !first.includes(doc))];
}
