/**
 * A Stryker ignorer for the mutants that cannot be told apart from the original by any test
 * (equivalent mutants) or only by timing. The list and each reason live in
 * equivalent-mutants.json beside this file, not between the lines of the code: an entry names
 * a file and the exact source text of a node (`code`), and every mutant inside that node is
 * ignored with the entry's reason. An entry that matches no node fails the run, so the list
 * cannot outlive the code it speaks of.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";

/** @type {{ file: string, code: string, reason: string }[]} */
const ENTRIES = JSON.parse(
  readFileSync(new URL("./equivalent-mutants.json", import.meta.url), "utf8"),
).mutants;

/** Entries name files from the repository's root (`packages/core/src/…`, `apps/cli/src/…`). */
const REPO_DIR = new URL("../../..", import.meta.url).pathname;
const matched = new Set();
const seenFiles = new Set();

const ignorer = {
  shouldIgnore(path) {
    const filename = path.hub?.file?.opts?.filename;
    if (!filename) return undefined;
    const file = relative(REPO_DIR, filename);
    seenFiles.add(file);
    for (const [index, entry] of ENTRIES.entries()) {
      if (entry.file !== file) continue;
      const { start, end } = path.node;
      if (start == null || end == null || end - start !== entry.code.length) continue;
      if (path.hub.file.code.slice(start, end) !== entry.code) continue;
      matched.add(index);
      return `Equivalent: ${entry.reason}`;
    }
    return undefined;
  },
};

process.on("exit", () => {
  // Only entries of files this process instrumented (an area's) can be judged.
  const stale = ENTRIES.filter((entry, index) => seenFiles.has(entry.file) && !matched.has(index));
  for (const entry of stale) {
    console.error(`equivalent-mutants.json: no node of ${entry.file} is \`${entry.code}\``);
  }
  if (stale.length > 0) process.exitCode = 1;
});

// What @stryker-mutator/api's declareValuePlugin(PluginKind.Ignore, …) builds, without
// depending on that package.
export const strykerPlugins = [{ kind: "Ignore", name: "equivalent-mutants", value: ignorer }];
