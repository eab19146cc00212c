/**
 * The published package on a host with Node and no Bun: the package built (scripts/
 * build-package.ts) and packed with `npm pack`, then run with `npx` from a fresh project outside
 * the repository on a PATH that holds only node, npm, npx and sh. Same commands, outputs and exit
 * codes as the same tarball's bin under Bun.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, constants, openSync } from "node:fs";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import pkg from "../package.json" with { type: "json" };
import { CLI_DIR, CLIENT_KEY, closedPortUrl, expectNoLeak, OFFER_URL, REPO } from "./helpers.ts";

const SETUP_TIMEOUT_MS = 180_000;
const TIMEOUT_MS = 60_000;

let work = "";
let tarball = "";
let project = "";
/** A dir with only node, npm, npx and sh: the PATH of a Node-only host. */
let nodeOnly = "";
let gateway: DevGateway;

async function exec(cmd: string[], options: { cwd: string; env: Record<string, string> }) {
  const child = Bun.spawn(cmd, { ...options, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), "openclaw-cli-node-")));
  nodeOnly = join(work, "node-bin");
  await mkdir(nodeOnly);
  const node = Bun.which("node");
  const npm = Bun.which("npm");
  const npx = Bun.which("npx");
  if (!node || !npm || !npx) throw new Error("node, npm and npx must be on PATH for this test");
  await symlink(await realpath(node), join(nodeOnly, "node"));
  await symlink(await realpath(npm), join(nodeOnly, "npm"));
  await symlink(await realpath(npx), join(nodeOnly, "npx"));
  // npx runs a bin through `sh`, as any host has it.
  await symlink("/bin/sh", join(nodeOnly, "sh"));

  const built = join(work, "package");
  const build = await exec([process.execPath, "scripts/build-package.ts", "--outdir", built], {
    cwd: CLI_DIR,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? work },
  });
  if (build.code !== 0) throw new Error(`build-package failed: ${build.stderr}`);
  const pack = await exec(["npm", "pack", "--pack-destination", work], {
    cwd: built,
    env: { PATH: nodeOnly, HOME: work, npm_config_cache: join(work, "npm-cache") },
  });
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  tarball = join(work, pack.stdout.trim().split("\n").at(-1) as string);
  project = join(work, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{ "name": "fresh", "private": true }\n');
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The environment of a run: a Node-only PATH, or the full one (with bun). */
function env(runtime: "node" | "bun", extra: Record<string, string> = {}) {
  return {
    PATH: runtime === "node" ? nodeOnly : `${nodeOnly}:${process.env.PATH ?? ""}`,
    HOME: work,
    npm_config_cache: join(work, "npm-cache"),
    npm_config_update_notifier: "false",
    AUTH_BASE: gateway.url,
    CLIENT_KEY,
    AUTH_CACHE_DIR: join(work, `cache-${runtime}`),
    ...extra,
  };
}

/** `npx --package <tarball> openclaw-auth …` in the fresh project. */
async function npx(runtime: "node" | "bun", args: string[], extra: Record<string, string> = {}) {
  const run = await exec(["npx", "--yes", "--package", tarball, "openclaw-auth", ...args], {
    cwd: project,
    env: env(runtime, extra),
  });
  const tokens = await cachedTokens(runtime);
  await expectNoLeak(run, args, tokens);
  return run;
}

/** Where the tarball is installed (`npm install <tarball>`), once: see {@link bin}. */
let installed: Promise<string> | undefined;

/**
 * The installed bin itself (node_modules/.bin/openclaw-auth) run in `cwd`: npx is a node script
 * too, and on Node 20 its own node reads some options (`--env-file`) wherever they stand.
 */
async function bin(runtime: "node" | "bun", args: string[], cwd = project) {
  installed ??= (async () => {
    const dir = join(work, "installed");
    await mkdir(dir);
    await writeFile(join(dir, "package.json"), '{ "name": "host", "private": true }\n');
    const install = await exec(["npm", "install", "--no-audit", "--no-fund", tarball], {
      cwd: dir,
      env: env("node"),
    });
    if (install.code !== 0) throw new Error(`npm install failed: ${install.stderr}`);
    return dir;
  })();
  const path = join(await installed, "node_modules/.bin/openclaw-auth");
  const run = await exec([path, ...args], { cwd, env: env(runtime) });
  await expectNoLeak(run, args, await cachedTokens(runtime));
  return run;
}

async function cachedTokens(runtime: "node" | "bun"): Promise<string[]> {
  const dir = join(work, `cache-${runtime}`);
  const tokens: string[] = [];
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const file of files.filter((name) => /^token_\w+\.json$/.test(name))) {
    try {
      tokens.push(JSON.parse(await readFile(join(dir, file), "utf8")).access_token);
    } catch {
      // Not a cache file.
    }
  }
  return tokens;
}

describe("the packed CLI on a PATH without bun", () => {
  test("the Node-only PATH really has no bun", async () => {
    const probe = await exec(["/bin/sh", "-c", "command -v bun || echo none"], {
      cwd: project,
      env: env("node"),
    });
    expect(probe.stdout.trim()).toBe("none");
  });

  test(
    "npx openclaw-auth --version prints the version, as under Bun",
    async () => {
      const node = await npx("node", ["--version"]);
      expect(node).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
      expect(await npx("bun", ["--version"])).toEqual(node);
    },
    TIMEOUT_MS,
  );

  test(
    "token gets one from the gateway, then serves it from the cache",
    async () => {
      const first = await npx("node", ["token", "--json"]);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout).source).toBe("network");
      const second = await npx("node", ["token", "--json"]);
      expect(JSON.parse(second.stdout)).toMatchObject({
        source: "cache",
        token: JSON.parse(first.stdout).token,
      });
      const plain = await npx("node", ["token"]);
      expect(plain.stdout).toBe(`${JSON.parse(first.stdout).token}\n`);
    },
    TIMEOUT_MS,
  );

  test(
    "request scrapes an offer: the same body and exit code as under Bun",
    async () => {
      const args = [
        "request",
        "POST",
        "/ecom/tasks/scrape",
        "--data",
        JSON.stringify({ url: OFFER_URL }),
      ];
      const node = await npx("node", args);
      expect(node.code, node.stderr).toBe(0);
      expect(JSON.parse(node.stdout).price).toBeNumber();
      expect(await npx("bun", args)).toEqual(node);
      const missing = await npx("node", ["request", "GET", "/no-such-route"]);
      expect(missing.code).toBe(1);
      expect((await npx("bun", ["request", "GET", "/no-such-route"])).code).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "the exit codes are Bun's: 2 usage, 2 no key, 3 a refused key, 4 a dead gateway",
    async () => {
      const dead = await closedPortUrl();
      const cases: [string[], Record<string, string>, number][] = [
        [["tokn"], {}, 2],
        [["token"], { CLIENT_KEY: "" }, 2],
        [["token", "--refresh"], { CLIENT_KEY: "ck-refused-0a9f4c" }, 3],
        [["token", "--refresh"], { AUTH_BASE: dead, AUTH_TIMEOUT_MS: "500" }, 4],
      ];
      for (const [args, extra, code] of cases) {
        const node = await npx("node", args, extra);
        const bun = await npx("bun", args, extra);
        expect({ args, code: node.code }).toEqual({ args, code });
        expect({ args, code: bun.code }).toEqual({ args, code });
        // The same one error line (the network error's cause is each runtime's own words).
        expect(node.stderr.split(":").slice(0, 2)).toEqual(bun.stderr.split(":").slice(0, 2));
      }
    },
    TIMEOUT_MS,
  );

  test(
    "--env-file is the CLI's option, never node's or bun's: a missing path or a FIFO is a CONFIG_ERROR at once",
    async () => {
      const fifo = join(work, "env-fifo");
      const made = Bun.spawnSync(["mkfifo", fifo]);
      if (made.exitCode !== 0) throw new Error("mkfifo failed");
      for (const runtime of ["node", "bun"] as const) {
        // A path that holds the key: node reading it itself printed `node: /nope/<key>: not found`.
        const missing = await bin(runtime, ["--env-file", `/nope/${CLIENT_KEY}`, "token"]);
        expect({ runtime, code: missing.code }).toEqual({ runtime, code: 2 });
        expect(missing.stderr).toContain("CONFIG_ERROR");
        expect(missing.stdout).toBe("");
        // A FIFO nobody writes: node opening it itself hung there.
        // (After 15 s the test opens it for writing and closes it, so a run stuck there ends.)
        const started = performance.now();
        const release = setTimeout(() => {
          try {
            closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          } catch {
            // No reader: nothing is stuck on it.
          }
        }, 15_000);
        const hung = await bin(runtime, ["--env-file", fifo, "token"]).finally(() =>
          clearTimeout(release),
        );
        expect(performance.now() - started).toBeLessThan(15_000);
        expect({ runtime, code: hung.code }).toEqual({ runtime, code: 2 });
        expect(hung.stderr).toContain("CONFIG_ERROR");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "under Bun, a bunfig.toml in the working directory runs nothing (its preload is not loaded)",
    async () => {
      const hostile = join(work, "hostile-cwd");
      await mkdir(hostile);
      const marker = join(work, "preload-ran");
      await writeFile(
        join(hostile, "preload.js"),
        `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");\n`,
      );
      await writeFile(join(hostile, "bunfig.toml"), 'preload = ["./preload.js"]\n');
      const run = await bin("bun", ["--version"], hostile);
      expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
      expect(await readFile(marker, "utf8").catch(() => "not run")).toBe("not run");
    },
    TIMEOUT_MS,
  );

  test(
    "skill install writes the skill shipped in the package",
    async () => {
      const workspace = join(work, "workspace");
      await mkdir(workspace);
      const run = await npx("node", ["skill", "install", "--workspace", workspace]);
      expect(run.code, run.stderr).toBe(0);
      const written = await readFile(join(workspace, "skills/openclaw-gateway/SKILL.md"), "utf8");
      expect(written).toBe(await readFile(join(REPO, "skills/openclaw-gateway/SKILL.md"), "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "dev-gateway says it needs Bun (exit 2)",
    async () => {
      const run = await npx("node", ["dev-gateway"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("runs on Bun only");
    },
    TIMEOUT_MS,
  );
});
