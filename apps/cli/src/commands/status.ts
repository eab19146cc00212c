/** `status [--json]`: this config's cache entry, its path and state; never the token. */
import type { EnvConfig } from "@openclaw/auth-runtime";
import {
  isServable,
  MAX_CACHE_FILE_BYTES,
  outlivesMaxTtl,
  parseCacheFile,
  refreshMarginSec,
} from "@openclaw/auth-runtime/cache";
import type { CommandLine } from "../args.ts";
import { cacheFilesOf, loadConfig, platform, tokenManagerFor } from "../context.ts";
import { type Color, ExitCode, type Span, writeJson, writeLine } from "../output.ts";

/**
 * What the cache holds for a config. `valid`: served as it is; `expiring`: refreshed on next use;
 * `invalid`: not a token the runtime serves (not a cache file, or past the lifetime cap).
 */
export type CacheState = "valid" | "expiring" | "expired" | "missing" | "invalid" | "refused";

export interface CacheEntry {
  readonly path: string;
  readonly state: CacheState;
  /** Why the file or its dir is not used (state `refused`). */
  readonly reason?: string;
  /** Epoch seconds, when the file holds a token. */
  readonly expiresAt?: number;
  /** Seconds left (negative once expired), when the file holds a token. */
  readonly expiresIn?: number;
}

/** Reads the cache entry of `config` without changing anything (no dir is created). */
export async function readCacheEntry(config: EnvConfig): Promise<CacheEntry> {
  // Problems are reported in the entry, not warned about.
  const tokenManager = tokenManagerFor(config, () => {});
  const files = cacheFilesOf(tokenManager);
  const path = files.filePath(tokenManager.key);
  const dirProblem = await files.checkDir({ create: false });
  if (dirProblem) return { path, state: "refused", reason: dirProblem };
  const read = await platform.readPrivateFile(path, MAX_CACHE_FILE_BYTES);
  if (read.status === "missing") return { path, state: "missing" };
  if (read.status === "refused") return { path, state: "refused", reason: read.reason };
  const token = parseCacheFile(read.text);
  const nowSec = Date.now() / 1000;
  // A lifetime past the cap (in milliseconds, say): the runtime does not serve it, it replaces it.
  if (!token || outlivesMaxTtl(token, nowSec, config.maxTtlSec)) return { path, state: "invalid" };
  const expiresIn = Math.floor(token.expiresAt - nowSec);
  // `valid` by the runtime's own test, with the largest refresh margin any process draws:
  // served as it is by every process, not only by a lucky one.
  const expired = nowSec >= token.expiresAt;
  const valid = isServable(token, nowSec, refreshMarginSec(config.minTtlSec, 1));
  const state: CacheState = valid ? "valid" : expired ? "expired" : "expiring";
  return { path, state, expiresAt: token.expiresAt, expiresIn };
}

/** `1h 2m 3s`-style duration. */
export function formatDuration(totalSec: number): string {
  const s = Math.abs(Math.floor(totalSec));
  const parts = [
    [Math.floor(s / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === 2).map(([n, unit]) => `${n}${unit}`);
  return shown.join(" ");
}

const STATE_COLOR: Readonly<Record<CacheState, Color>> = {
  valid: "green",
  expiring: "yellow",
  expired: "red",
  missing: "yellow",
  invalid: "red",
  refused: "red",
};

export async function run(cli: CommandLine): Promise<number> {
  const config = loadConfig(cli.globals);
  const entry = await readCacheEntry(config);
  if (cli.globals.json) {
    const out = {
      ...entry,
      valid: entry.state === "valid",
      authBase: config.authBase,
      cacheDir: config.cacheDir,
      minTtlSec: config.minTtlSec,
    };
    writeJson(out);
    return ExitCode.Ok;
  }
  const rows: [string, Span][] = [
    ["path", entry.path],
    ["state", [STATE_COLOR[entry.state], entry.state]],
  ];
  if (entry.reason) rows.push(["reason", entry.reason]);
  if (entry.expiresAt !== undefined && entry.expiresIn !== undefined) {
    const at = new Date(entry.expiresAt * 1000).toISOString();
    rows.push(
      entry.expiresIn > 0
        ? ["expires in", `${formatDuration(entry.expiresIn)} (${at})`]
        : ["expired", `${formatDuration(entry.expiresIn)} ago (${at})`],
    );
  }
  rows.push(["auth base", config.authBase]);
  // Each value made safe on its own: a path may hold the key or a control (writeLine).
  for (const [name, value] of rows) writeLine(`${name}:`.padEnd(12), value);
  return ExitCode.Ok;
}
