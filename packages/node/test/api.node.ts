/** The Node package's public API: the same as core's on Bun, bound to Node, built for Node. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as api from "@openclaw/auth-runtime-node";
import { nodePlatform } from "@openclaw/auth-runtime-node/adapter";
import { BUN, lastJsonLine, PACKAGE_DIR, run } from "./support.ts";

const BUN_API = join(PACKAGE_DIR, "test/fixtures/bun-api.ts");
const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
const env = { AUTH_BASE: "https://gw.example.com", CLIENT_KEY, AUTH_CACHE_DIR: "/tmp/openclaw-x" };

describe("@openclaw/auth-runtime-node", () => {
  test("exports the same names as @openclaw/auth-runtime on Bun", async () => {
    const bun = await run(BUN, [BUN_API], { env });
    assert.equal(bun.code, 0, bun.stderr);
    const { names } = lastJsonLine(bun.stdout) as { names: string[] };
    assert.deepEqual(Object.keys(api).sort(), names.sort());
    assert.equal(
      nodePlatform.sha256Hex("openclaw"),
      createHash("sha256").update("openclaw", "utf8").digest("hex"),
    );
  });

  test("names the cache file as docs/cache.md says and as the Bun runtime does", async () => {
    const config = api.createEnvConfig(env, { envFile: false });
    const hash = createHash("sha256")
      .update(`https://gw.example.com\n${CLIENT_KEY}`, "utf8")
      .digest("hex")
      .slice(0, 32);
    assert.equal(api.cacheFilePath(config), `/tmp/openclaw-x/token_${hash}.json`);
    const bun = await run(BUN, [BUN_API], { env });
    assert.equal(lastJsonLine(bun.stdout).cacheFilePath, api.cacheFilePath(config));
  });

  test("reads process.env when no config is given", async () => {
    const child = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { loadClientKeyFromEnv, createEnvConfig } from "@openclaw/auth-runtime-node";
         const config = createEnvConfig(undefined, { envFile: false });
         console.log(JSON.stringify({ base: config.authBase, same: loadClientKeyFromEnv() === process.env.CLIENT_KEY }));`,
      ],
      { cwd: PACKAGE_DIR, env: { CLIENT_KEY, AUTH_BASE: "https://gw.example.com/" } },
    );
    assert.equal(child.code, 0, child.stderr);
    assert.deepEqual(lastJsonLine(child.stdout), { base: "https://gw.example.com", same: true });
    assert.ok(!`${child.stdout}${child.stderr}`.includes(CLIENT_KEY));
  });

  for (const [form, code] of [
    ["a named import", `import { createEnvConfig, getAccessToken } from "@openclaw/auth-runtime";`],
    ["a dynamic import", `await import("@openclaw/auth-runtime");`],
  ]) {
    test(`${form} of @openclaw/auth-runtime under Node fails at once, naming this package`, async () => {
      const child = await run(process.execPath, ["--input-type=module", "-e", code ?? ""], {
        cwd: PACKAGE_DIR,
      });
      assert.equal(child.code, 1);
      assert.match(child.stderr, /install and import @openclaw\/auth-runtime-node/);
    });
  }

  test("core's Node stub declares every export name of the Bun API, so named imports link", async () => {
    const stub = await readFile(join(PACKAGE_DIR, "../core/node-unsupported.js"), "utf8");
    const declared = new Set(
      /export let ([^;]+);/
        .exec(stub)?.[1]
        ?.split(",")
        .map((name) => name.trim()),
    );
    const bun = await run(BUN, [BUN_API], { env });
    const { names } = lastJsonLine(bun.stdout) as { names: string[] };
    const missing = names.filter((name) => !declared.has(name));
    assert.deepEqual(missing, [], "packages/core/node-unsupported.js lacks these export names");
  });

  test("the built modules import only each other, zod, dotenv and node: built-ins, and no Bun API", async () => {
    const dist = join(PACKAGE_DIR, "dist");
    const modules = (await readdir(dist)).filter((name) => name.endsWith(".js"));
    const code = (await Promise.all(modules.map((m) => readFile(join(dist, m), "utf8")))).join(
      "\n",
    );
    const imported = new Set(
      [
        ...code.matchAll(
          /^\s*(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm,
        ),
      ].map((m) => m[1] ?? m[2]),
    );
    assert.ok(imported.has("dotenv"), "the import scan found the dotenv import");
    for (const specifier of imported) {
      assert.ok(
        specifier?.startsWith("./") ||
          specifier === "zod/mini" ||
          specifier === "zod" ||
          specifier === "dotenv" ||
          specifier?.startsWith("node:"),
        `unexpected import ${specifier}`,
      );
    }
    assert.doesNotMatch(code, /\bBun\.|from\s*["']bun[:"']/);
  });
});
