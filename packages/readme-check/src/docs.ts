/** The documents of the repository a reader may copy code from, repository-relative. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** README.md and its translation, every package's and app's README*.md, and docs/*.md. */
export async function documents(repo: string): Promise<string[]> {
  const docs = ["README.md", "README.zh-CN.md"];
  for (const group of ["packages", "apps"]) {
    for (const dir of (await readdir(join(repo, group))).sort()) {
      const files = await readdir(join(repo, group, dir)).catch(() => [] as string[]);
      for (const file of files.sort()) {
        if (/^README.*\.md$/.test(file)) docs.push(`${group}/${dir}/${file}`);
      }
    }
  }
  for (const file of (await readdir(join(repo, "docs"))).sort()) {
    if (file.endsWith(".md")) docs.push(`docs/${file}`);
  }
  return docs;
}
