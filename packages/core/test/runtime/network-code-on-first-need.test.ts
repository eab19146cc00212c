/**
 * What a short process loads of the network half (docs/configuration.md, "What a process
 * loads"): a script that gets a warm token from the cache file, or waits for another process's
 * token, loads neither the request path nor the token request; its first API request loads
 * them and works. Each case runs in a fresh `bun` with a preload that records every module Bun
 * loads, since a module once loaded stays loaded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { cacheFilePath, createEnvConfig } from "../../src/index.ts";

const entry = join(import.meta.dir, "../../src/index.ts");
const src = join(import.meta.dir, "../../src");
const CLIENT_KEY = "ck-network-on-need-CANARY-9c4e17";

/** The modules of the network half: what only a token request or an API request needs. */
const NETWORK_MODULES = [
  "request/request-api.ts",
  "request/api-retry.ts",
  "request/send-request.ts",
  "request/auth-fetch.ts",
  "token/token-fetch.ts",
  "grants/token-request.ts",
  "grants/session.ts",
  "grants/discovery-store.ts",
  "http/origin-policy.ts",
  "http/proxy.ts",
  "http/body-decoding.ts",
  "http/bounded-body.ts",
  "http/bounded-fetch.ts",
  "http/attempt-timeout.ts",
];

/**
 * Records the path of each TypeScript module Bun loads, in order, on `globalThis.loadedModules`.
 * Synchronously: a module an async hook loaded cannot be `require`d, as the runtime's lazy ones are.
 */
const PRELOAD = `import { readFileSync } from "node:fs";
const loaded = (globalThis.loadedModules = []);
Bun.plugin({
  setup(build) {
    build.onLoad({ filter: /\\.ts$/ }, (args) => {
      loaded.push(args.path);
      return { contents: readFileSync(args.path, "utf8"), loader: "ts" };
    });
  },
});`;

let dir: string;
let gateway: DevGateway;
let env: Record<string, string>;
let cacheFile: string;
let preload: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-network-on-need-"));
  preload = join(dir, "record-modules.ts");
  await writeFile(preload, PRELOAD);
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY], ttlSec: 3600 });
  const cacheDir = join(dir, "cache");
  env = { CLIENT_KEY, AUTH_BASE: gateway.url, AUTH_CACHE_DIR: cacheDir };
  cacheFile = cacheFilePath(createEnvConfig(env, { envFile: false }));
});
afterAll(async () => {
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `body` in a fresh `bun` that imports the runtime as `api` (the preload recording its
 * modules); `network()` in it lists the network modules loaded so far. Its last line as JSON.
 */
async function run(body: string): Promise<Record<string, unknown>> {
  const script = `const api = await import(${JSON.stringify(entry)});
const src = ${JSON.stringify(`${src}/`)};
const names = ${JSON.stringify(NETWORK_MODULES)};
const network = () => globalThis.loadedModules
  .filter((path) => path.startsWith(src))
  .map((path) => path.slice(src.length))
  .filter((name) => names.includes(name));
${body}`;
  const child = Bun.spawn([process.execPath, "--preload", preload, "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  if ((await child.exited) !== 0) throw new Error(`child failed: ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as Record<string, unknown>;
}

describe("the network half is loaded on first need", () => {
  test("a cold token loads the token request: the first call of a process fetches and writes the cache file", async () => {
    const out = await run(
      "const token = await api.getAccessToken(); console.log(JSON.stringify({ token, network: network() }));",
    );
    expect(out.network).toContain("grants/token-request.ts");
    expect(gateway.stats().tokensIssued).toBe(1);
    expect(JSON.parse(await readFile(cacheFile, "utf8")).access_token).toBe(out.token);
  });

  test("a warm token from the cache file loads neither the request path nor the token request; the first API request then loads them and works", async () => {
    const { access_token: cached } = JSON.parse(await readFile(cacheFile, "utf8"));
    const out = await run(`const token = await api.getAccessToken();
const warm = network();
const response = await api.requestApiWithAutoRefresh({ url: "/echo" });
console.log(JSON.stringify({ token, warm, status: response.status, after: network() }));`);
    expect(out.token).toBe(cached);
    expect(out.warm).toEqual([]);
    expect(out.status).toBe(200);
    // The recorder sees them once they are needed.
    expect(out.after).toContain("request/request-api.ts");
    expect(out.after).not.toContain("grants/token-request.ts");
    expect(gateway.stats().tokensIssued).toBe(1);
  });

  test("a process that waits for another's token lock loads no token request", async () => {
    const content = await readFile(cacheFile, "utf8");
    const lockFile = cacheFile.replace(/\.json$/, ".lock");
    // The cache is cold and the lock held by a live process on this host: this test's.
    await unlink(cacheFile);
    await writeFile(
      lockFile,
      JSON.stringify({ pid: process.pid, host: hostname(), createdAt: Date.now() }),
      { mode: 0o600 },
    );
    const waiter = run(
      "const token = await api.getAccessToken(); console.log(JSON.stringify({ token, network: network() }));",
    );
    // The holder's token arrives while the waiter waits: written atomically, then the lock freed.
    await Bun.sleep(500);
    const temp = `${cacheFile}.tmp-test`;
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, cacheFile);
    await unlink(lockFile);
    const out = await waiter;
    expect(out.token).toBe(JSON.parse(content).access_token);
    expect(out.network).toEqual([]);
    expect(gateway.stats().tokensIssued).toBe(1);
  });
});
