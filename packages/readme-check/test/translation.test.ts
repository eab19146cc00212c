/**
 * README.zh-CN.md says what README.md says: the same headings at each level, the same code blocks
 * in the same order (code does not depend on the language; comments and <placeholders> may be
 * translated) and tables with the same number of rows. A section, a row or an example added to
 * one README and not to the other fails here.
 */
import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outline } from "../src/outline.ts";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const english = outline(await readFile(join(REPO, "README.md"), "utf8"));
const chinese = outline(await readFile(join(REPO, "README.zh-CN.md"), "utf8"));

describe("README.zh-CN.md against README.md", () => {
  test("has as many headings of each level", () => {
    expect(chinese.headings).toEqual(english.headings);
  });

  test("has the same code blocks in the same order", () => {
    expect(chinese.codeBlocks).toEqual(english.codeBlocks);
  });

  test("has the same tables, row for row", () => {
    expect(chinese.tableRows).toEqual(english.tableRows);
  });
});
