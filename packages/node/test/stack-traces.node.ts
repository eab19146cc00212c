/**
 * The built package reads well in a stack trace: its classes keep their names (bundling renames
 * colliding ones, `ConfigError2`), and its source maps lead `--enable-source-maps` to src/….ts.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import * as api from "@openclaw/auth-runtime-node";
import { PACKAGE_DIR, run } from "./support.ts";

test("the exported classes have the names of their source", () => {
  const classes = {
    AuthRuntimeError: api.AuthRuntimeError,
    ConfigError: api.ConfigError,
    AuthSessionError: api.AuthSessionError,
    AuthNetworkError: api.AuthNetworkError,
    ApiError: api.ApiError,
    ApiResponse: api.ApiResponse,
  };
  for (const [name, value] of Object.entries(classes)) assert.equal(value.name, name);
});

test("an uncaught ConfigError prints as ConfigError, with a frame in src/….ts under --enable-source-maps", async () => {
  const script = [
    'import { createEnvConfig } from "@openclaw/auth-runtime-node";',
    "createEnvConfig({}, { envFile: false });",
  ].join("\n");
  const child = await run(
    process.execPath,
    ["--enable-source-maps", "--input-type=module", "-e", script],
    { cwd: PACKAGE_DIR },
  );
  assert.equal(child.code, 1);
  assert.match(child.stderr, /^ConfigError: CLIENT_KEY is required/m);
  assert.doesNotMatch(child.stderr, /ConfigError\d/);
  assert.match(child.stderr, /^ {4}at \S+ \(\S*\/core\/src\/\S+\.ts:\d+:\d+\)$/m);
  assert.doesNotMatch(child.stderr, /dist\/shared-/);
});

test("each built chunk links a source map that holds its sources", async () => {
  const pkg = JSON.parse(await readFile(join(PACKAGE_DIR, "package.json"), "utf8")) as {
    files: string[];
  };
  assert.ok(pkg.files.includes("dist"), "dist/ (and its .map files) is published");
  const index = await readFile(join(PACKAGE_DIR, "dist/index.js"), "utf8");
  assert.match(index, /\/\/# sourceMappingURL=index\.js\.map\s*$/);
  const map = JSON.parse(await readFile(join(PACKAGE_DIR, "dist/index.js.map"), "utf8")) as {
    sources: string[];
    sourcesContent?: string[];
  };
  assert.equal(map.sourcesContent?.length, map.sources.length);
  assert.ok(map.sources.every((source) => source.endsWith(".ts")));
});
