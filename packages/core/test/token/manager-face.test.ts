/**
 * The token manager's public face: what a user of `.` or `./adapter` can see of it. Internal
 * methods (the warm path, the request path's reports) stay off it, so they can change freely.
 */
import { describe, expect, test } from "bun:test";
import ts from "typescript";
import * as adapter from "../../src/adapter.ts";

const ENTRIES = ["../../src/index.ts", "../../src/adapter.ts"].map(
  (entry) => new URL(entry, import.meta.url).pathname,
);

/** The members of the type `TokenManager` that each entry exports, as the TypeScript compiler sees it. */
function tokenManagerMembers(): string[][] {
  const program = ts.createProgram(ENTRIES, {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ESNext,
    types: [],
  });
  const checker = program.getTypeChecker();
  return ENTRIES.map((path) => {
    const source = program.getSourceFile(path);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${path} is no module`);
    const exported = checker
      .getExportsOfModule(module)
      .find((symbol) => symbol.name === "TokenManager");
    if (!exported) throw new Error(`${path} exports no TokenManager`);
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return checker
      .getDeclaredTypeOfSymbol(symbol)
      .getProperties()
      .map((property) => property.name)
      .sort();
  });
}

const PUBLIC_MEMBERS = ["clear", "config", "getToken", "isFresh", "key", "refresh", "store"];

describe("the TokenManager users see", () => {
  // Type-checking the entries' import graph takes seconds on a loaded machine.
  test("has only config, key, store, isFresh, getToken, refresh and clear, from . and ./adapter", () => {
    expect(tokenManagerMembers()).toEqual([PUBLIC_MEMBERS, PUBLIC_MEMBERS]);
  }, 60_000);

  test("is a type only: ./adapter exports no class to construct one past createTokenManager", () => {
    expect("TokenManager" in adapter).toBe(false);
  });
});
