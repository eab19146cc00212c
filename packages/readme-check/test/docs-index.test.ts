/**
 * docs/README.md is the way into the reference: it links every page of docs/, so a page added
 * there is a page a reader can find.
 */
import { expect, test } from "bun:test";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DOCS = fileURLToPath(new URL("../../../docs", import.meta.url));

test("docs/README.md links every page of docs/", async () => {
  const index = await readFile(join(DOCS, "README.md"), "utf8");
  const linked = new Set([...index.matchAll(/\]\(([\w.-]+\.md)\)/g)].map((m) => m[1]));
  const pages = (await readdir(DOCS)).filter(
    (name) => name.endsWith(".md") && name !== "README.md",
  );
  expect(pages.length).toBeGreaterThan(5);
  expect(pages.filter((page) => !linked.has(page))).toEqual([]);
});
