/**
 * The warm script of warm-script.ts as a consumer runs it: @openclaw/auth-runtime from its packed
 * tarball (built fresh by packages/core/scripts/build-package.ts, `bun pm pack`ed, extracted into
 * a temp project's node_modules, zod and dotenv linked from the workspace: no network), against
 * the same raw read of the cache file, spawned alternately (sideBySide, as cli-start.ts).
 *
 * `bun bench/src/consumer-script.ts [runs]` runs it alone against a dev gateway of its own;
 * `… [runs] --routes` times each way of building the package (build-package.ts's `--route` and
 * `--eager-builtins`) and the import from source, all interleaved in one run, against the raw
 * read.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFilePath, createEnvConfig } from "@openclaw/auth-runtime";
import { sideBySide, timedSpawn } from "./cli-start.ts";
import { median } from "./rounds.ts";

export interface ConsumerScriptOptions {
  readonly gatewayUrl: string;
  readonly clientKey: string;
  /** An empty cache dir, also the children's working directory (so no stray .env is read). */
  readonly cacheDir: string;
  /** Spawns of each script. */
  readonly runs: number;
}

export interface ConsumerScriptResult {
  readonly consumerScriptMs: number;
  readonly rawReadMs: number;
  /** The median over rounds of consumer script / raw read, each round's two spawns back to back. */
  readonly consumerScriptVsRawRead: number;
  readonly consumerScriptRssMb: number;
  /** median(consumer script's peak RSS) - median(raw read's). */
  readonly consumerScriptRssDeltaMb: number;
}

const repo = join(import.meta.dir, "../..");
const core = join(repo, "packages/core");
const clients = join(import.meta.dir, "clients");
/** What a consumer writes: bench/src/clients/warm-token.ts, outside the repo. */
const WARM_SCRIPT = `import { getAccessToken } from "@openclaw/auth-runtime";\n\nconsole.log(await getAccessToken());\n`;

async function run(cmd: string[], cwd: string): Promise<string> {
  return (await timedSpawn(cmd, cwd, { PATH: process.env.PATH ?? "" })).stdout;
}

/**
 * A temp project (under `work`) with the package built by build-package.ts `args`, packed and
 * installed, and the warm script in it; the script's path.
 */
export async function installPackedRuntime(work: string, args: string[] = []): Promise<string> {
  const built = join(work, "package");
  await run(["bun", join(core, "scripts/build-package.ts"), "--outdir", built, ...args], core);
  await run(["bun", "pm", "pack", "--destination", work, "--quiet"], built);
  const tarball = (await readdir(work)).find((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error(`consumer script: bun pm pack wrote no tarball in ${work}`);
  const project = join(work, "consumer");
  const installed = join(project, "node_modules/@openclaw/auth-runtime");
  await mkdir(installed, { recursive: true });
  await run(["tar", "-xzf", join(work, tarball), "--strip-components=1", "-C", installed], work);
  for (const dependency of ["zod", "dotenv"]) {
    await symlink(
      join(core, "node_modules", dependency),
      join(project, "node_modules", dependency),
    );
  }
  await writeFile(join(project, "package.json"), '{ "private": true, "type": "module" }\n');
  await writeFile(join(project, "warm.ts"), WARM_SCRIPT);
  await rm(built, { recursive: true, force: true });
  return join(project, "warm.ts");
}

/** The children's environment, with the cache file warmed by `script`; and the token. */
async function warmEnv(options: ConsumerScriptOptions, script: string) {
  const variables = {
    CLIENT_KEY: options.clientKey,
    AUTH_BASE: options.gatewayUrl,
    AUTH_CACHE_DIR: options.cacheDir,
  };
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    ...variables,
    WARM_CACHE_FILE: cacheFilePath(createEnvConfig(variables, { envFile: false })),
  };
  // The first call fetches the token and writes the cache file; every measured call reads it.
  const token = (await timedSpawn(["bun", script], options.cacheDir, env)).stdout.trim();
  if (token === "") throw new Error("consumer script: no token");
  return { env, token };
}

export async function measureConsumerScript(
  options: ConsumerScriptOptions,
): Promise<ConsumerScriptResult> {
  const work = await mkdtemp(join(tmpdir(), "openclaw-consumer-"));
  try {
    const script = await installPackedRuntime(work);
    const { env, token } = await warmEnv(options, script);
    const ours = ["bun", script];
    const raw = ["bun", join(clients, "raw-read.ts")];
    const r = await sideBySide(ours, raw, options.runs, options.cacheDir, env, (_cmd, stdout) => {
      if (stdout.trim() !== token) throw new Error("consumer script: the cache was not warm");
    });
    return {
      consumerScriptMs: r.oursMs,
      rawReadMs: r.baselineMs,
      consumerScriptVsRawRead: r.ratio,
      consumerScriptRssMb: r.oursRssMb,
      consumerScriptRssDeltaMb: r.oursRssMb - r.baselineRssMb,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Each build route's script and the source import, `runs` rounds of all, in rotating order. */
async function compareRoutes(options: ConsumerScriptOptions): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "openclaw-routes-"));
  try {
    const routes: Record<string, string[]> = {
      "bytecode (published)": [],
      "bytecode, eager builtins": ["--eager-builtins"],
      "esm split": ["--route", "split"],
      "esm split, eager builtins": ["--route", "split", "--eager-builtins"],
    };
    const commands: Record<string, string[]> = {
      "raw read": ["bun", join(clients, "raw-read.ts")],
    };
    commands["source import"] = ["bun", join(clients, "warm-token.ts")];
    for (const [name, args] of Object.entries(routes)) {
      const dir = join(work, name.replace(/\W+/g, "-"));
      await mkdir(dir);
      commands[name] = ["bun", await installPackedRuntime(dir, args)];
    }
    const { env, token } = await warmEnv(options, commands["source import"]?.[1] as string);
    const names = Object.keys(commands);
    const ms: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < options.runs; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length] as string;
        const spawned = await timedSpawn(commands[name] as string[], options.cacheDir, env);
        if (spawned.stdout.trim() !== token && name !== "raw read")
          throw new Error(`${name}: cold`);
        ms[name]?.push(spawned.ms);
      }
    }
    const raw = ms["raw read"] as number[];
    for (const name of names) {
      const mine = ms[name] as number[];
      const ratio = median(mine.map((value, i) => value / (raw[i] as number)));
      console.log(`${name.padEnd(28)} ${median(mine).toFixed(1)} ms  x${ratio.toFixed(2)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { spawnDevGateway } = await import("@openclaw/dev-gateway/remote");
  const clientKey = "ck-bench-CANARY-5e81d0";
  const gateway = await spawnDevGateway({ clientKeys: [clientKey], ttlSec: 3600 });
  const cacheDir = await mkdtemp(join(tmpdir(), "openclaw-consumer-cache-"));
  try {
    const runs = Number(process.argv[2] ?? 30);
    const options = { gatewayUrl: gateway.url, clientKey, cacheDir, runs };
    if (process.argv.includes("--routes")) await compareRoutes(options);
    else console.log(JSON.stringify(await measureConsumerScript(options)));
  } finally {
    await gateway.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
