/**
 * Whole-process figures of a short script: a Bun script that imports @openclaw/auth-runtime and
 * gets a token from a warm cache file (clients/warm-token.ts) against a Bun script that only
 * reads and checks the same file (clients/raw-read.ts), spawned alternately. Wall time is
 * measured by the parent around plain spawns, the ratio per round (median of the rounds'); peak RSS from separate spawns under GNU
 * `/usr/bin/time -f %M`, as in cli-start.ts.
 *
 * `bun bench/src/warm-script.ts [runs]` runs it alone against a dev gateway of its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFilePath, createEnvConfig } from "@openclaw/auth-runtime";
import { sideBySide, timedSpawn } from "./cli-start.ts";

export interface WarmScriptOptions {
  readonly gatewayUrl: string;
  readonly clientKey: string;
  /** An empty cache dir, also the children's working directory (so no stray .env is read). */
  readonly cacheDir: string;
  /** Spawns of each script. */
  readonly runs: number;
}

export interface WarmScriptResult {
  readonly warmScriptMs: number;
  readonly rawReadMs: number;
  /** The median over rounds of warm script / raw read, each round's two spawns back to back. */
  readonly warmScriptVsRawRead: number;
  readonly warmScriptRssMb: number;
  readonly rawReadRssMb: number;
  /** median(warm script's peak RSS) - median(raw read's). */
  readonly warmScriptRssDeltaMb: number;
  readonly runs: number;
}

const clients = join(import.meta.dir, "clients");

export async function measureWarmScript(options: WarmScriptOptions): Promise<WarmScriptResult> {
  const variables = {
    CLIENT_KEY: options.clientKey,
    AUTH_BASE: options.gatewayUrl,
    AUTH_CACHE_DIR: options.cacheDir,
  };
  const cacheFile = cacheFilePath(createEnvConfig(variables, { envFile: false }));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    ...variables,
    WARM_CACHE_FILE: cacheFile,
  };
  const warm = ["bun", join(clients, "warm-token.ts")];
  const raw = ["bun", join(clients, "raw-read.ts")];
  // The first call fetches the token and writes the cache file; every measured call reads it.
  const token = (await timedSpawn(warm, options.cacheDir, env)).stdout.trim();
  if (token === "") throw new Error("warm script: no token");

  const r = await sideBySide(warm, raw, options.runs, options.cacheDir, env, (_cmd, stdout) => {
    if (stdout.trim() !== token) throw new Error("warm script: the cache was not warm");
  });
  return {
    warmScriptMs: r.oursMs,
    rawReadMs: r.baselineMs,
    warmScriptVsRawRead: r.ratio,
    warmScriptRssMb: r.oursRssMb,
    rawReadRssMb: r.baselineRssMb,
    warmScriptRssDeltaMb: r.oursRssMb - r.baselineRssMb,
    runs: options.runs,
  };
}

if (import.meta.main) {
  const { spawnDevGateway } = await import("@openclaw/dev-gateway/remote");
  const clientKey = "ck-bench-CANARY-5e81d0";
  const gateway = await spawnDevGateway({ clientKeys: [clientKey], ttlSec: 3600 });
  const cacheDir = mkdtempSync(join(tmpdir(), "openclaw-warm-"));
  try {
    const runs = Number(process.argv[2] ?? 30);
    const r = await measureWarmScript({ gatewayUrl: gateway.url, clientKey, cacheDir, runs });
    console.log(JSON.stringify(r));
  } finally {
    await gateway.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
