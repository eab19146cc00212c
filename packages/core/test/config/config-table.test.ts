/**
 * The configuration table is the one place a setting is declared (src/config/table.ts): what is
 * derived from it, and what must be checked against it because the CLI's warm path cannot load
 * it (rules.ts imports nothing).
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CONFIG_VARIABLES } from "../../src/config/config.ts";
import { PLAIN_CONFIG_DEFERS, PLAIN_CONFIG_READS } from "../../src/config/rules.ts";

const src = join(import.meta.dir, "../../src");

describe("the configuration table", () => {
  test("the CLI's warm path reads exactly the rows marked plain and defers on every other", () => {
    const plain = CONFIG_VARIABLES.filter((v) => v.plain).map((v) => v.name);
    const others = CONFIG_VARIABLES.filter((v) => !v.plain).map((v) => v.name);
    expect([...PLAIN_CONFIG_READS].sort()).toEqual(plain.sort());
    expect([...PLAIN_CONFIG_DEFERS].sort()).toEqual(others.sort());
  });

  test("a row added to the table is read, checked, defaulted and kept apart with nothing else changed", () => {
    const script = `
const { createConfig, createEnvConfig } = await import(${JSON.stringify(join(src, "index.ts"))});
const { managerSettingsText } = await import(${JSON.stringify(join(src, "config/config.ts"))});
const warnings = [];
const env = (extra) => createEnvConfig({ CLIENT_KEY: "k", ...extra }, { envFile: false, onWarning: (w) => warnings.push(w) });
const set = env({ AUTH_EXTRA_SETTING: "on" });
const unset = env({});
let refused;
try { env({ AUTH_EXTRA_SETTING: "bad" }); } catch (error) { refused = error.message; }
console.log(JSON.stringify({
  fromEnv: set.extraSetting,
  source: set.sources.AUTH_EXTRA_SETTING,
  unset: unset.extraSetting ?? null,
  refused,
  warnings,
  managerKeptApart: managerSettingsText(set) !== managerSettingsText(unset),
  fromOption: createConfig({ clientKey: "k", extraSetting: "opt" }).extraSetting,
}));`;
    const preload = join(import.meta.dir, "../fixtures/extra-row.ts");
    const child = Bun.spawnSync([process.execPath, "--preload", preload, "-e", script], {
      env: { PATH: process.env.PATH ?? "" },
      stderr: "pipe",
    });
    if (child.exitCode !== 0) throw new Error(`child failed: ${child.stderr.toString()}`);
    const out = JSON.parse(child.stdout.toString().trim().split("\n").at(-1) ?? "");
    expect(out).toEqual({
      fromEnv: "on",
      source: { kind: "env" },
      unset: null,
      refused: "AUTH_EXTRA_SETTING must not be bad",
      warnings: [],
      managerKeptApart: true,
      fromOption: "opt",
    });
  });
});

describe("lazy loading", () => {
  /** The source that may load modules lazily: src/ less the POSIX file services (which load none). */
  function logicFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        return name === "posix" ? [] : logicFiles(path);
      }
      return name.endsWith(".ts") ? [path] : [];
    });
  }

  test("the source requires a module only through the lazy helper", () => {
    const bare: string[] = [];
    for (const file of logicFiles(src)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\brequire\s*\(/g)) {
        const line = text.slice(text.lastIndexOf("\n", match.index) + 1, match.index).trim();
        if (line.startsWith("*") || line.startsWith("//")) continue; // a comment
        const before = text.slice(Math.max(0, match.index - 120), match.index);
        if (!/lazy<[^>]*>\(\s*\(\)\s*=>\s*$/.test(before)) bare.push(relative(src, file));
      }
      if (/declare const require\b/.test(text)) bare.push(`${relative(src, file)} (declare)`);
    }
    expect(bare).toEqual([]);
  });
});
