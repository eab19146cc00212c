/**
 * Drawn states of what other processes and users leave behind: a cache file (content, size,
 * mode, symlink, future mtime), a lock file (dead pid, future or garbage createdAt) and a Redis
 * entry (1e999 expiry, huge value, garbage), written for real before the calls.
 */
import { chmod, mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import fc from "fast-check";
import type { RedisHandle, RuntimeApi } from "./host.ts";
import type { Prepared } from "./run.ts";

/** A pid no process has (above the kernel's pid_max ceiling of 2^22). */
export const DEAD_PID = 4_194_304 + 17;

export type CacheText =
  | "none"
  | "valid"
  | "valid-ms"
  | "expired"
  | "expires-1e999"
  | "expires-nan"
  | "expires-huge"
  | "expires-string"
  | "token-space"
  | "token-empty"
  | "token-long"
  | "not-json"
  | "empty"
  | "array"
  | "oversized";

export interface DiskState {
  readonly cache: CacheText;
  readonly cacheMode: number;
  readonly cacheForm: "file" | "symlink" | "dangling-symlink" | "directory";
  readonly futureMtime: boolean;
  readonly lock:
    | "none"
    | "dead-pid"
    | "future"
    | "old"
    | "live-own-pid"
    | "other-host"
    | "garbage"
    | "empty"
    | "oversized";
  readonly redis: CacheText;
}

export const diskState: fc.Arbitrary<DiskState> = fc.record({
  cache: fc.constantFrom<CacheText>(
    "none",
    "valid",
    "valid-ms",
    "expired",
    "expires-1e999",
    "expires-nan",
    "expires-huge",
    "expires-string",
    "token-space",
    "token-empty",
    "token-long",
    "not-json",
    "empty",
    "array",
    "oversized",
  ),
  cacheMode: fc.constantFrom(0o600, 0o644, 0o666, 0o000, 0o200),
  cacheForm: fc.constantFrom(
    "file" as const,
    "file" as const,
    "symlink" as const,
    "dangling-symlink" as const,
    "directory" as const,
  ),
  futureMtime: fc.boolean(),
  lock: fc.constantFrom(
    "none" as const,
    "dead-pid" as const,
    "future" as const,
    "old" as const,
    "live-own-pid" as const,
    "other-host" as const,
    "garbage" as const,
    "empty" as const,
    "oversized" as const,
  ),
  redis: fc.constantFrom<CacheText>(
    "none",
    "valid",
    "expires-1e999",
    "expires-nan",
    "token-space",
    "not-json",
    "oversized",
    "expires-huge",
  ),
});

/** The text of a cache entry of kind `kind`, and its token when a runtime may serve it. */
export function cacheText(kind: CacheText, marker: string): { text?: string; servable?: string } {
  const now = Date.now() / 1000;
  const token = `tk_cache${marker}`;
  const entry = (t: string, at: string, inSec = "3600") =>
    `{"access_token":${JSON.stringify(t)},"expires_at":${at},"expires_in":${inSec}}`;
  switch (kind) {
    case "none":
      return {};
    case "valid":
      return { text: entry(token, String(now + 3600)), servable: token };
    case "valid-ms":
      return { text: entry(token, String((now + 3600) * 1000)), servable: token };
    case "expired":
      return { text: entry(token, String(now - 10)) };
    case "expires-1e999":
      return { text: entry(token, "1e999", "1e999") };
    case "expires-nan":
      return { text: entry(token, '"NaN"') };
    case "expires-huge":
      return { text: entry(token, "1e300", "1e300") };
    case "expires-string":
      return { text: entry(token, JSON.stringify(String(now + 3600))) };
    case "token-space":
      return { text: entry(`${token} x`, String(now + 3600)) };
    case "token-empty":
      return { text: entry("", String(now + 3600)) };
    case "token-long":
      return { text: entry(token + "x".repeat(16_400), String(now + 3600)) };
    case "not-json":
      return { text: "{not json" };
    case "empty":
      return { text: "" };
    case "array":
      return { text: "[]" };
    case "oversized":
      return {
        text: `{"pad":"${"0".repeat(70_000)}",${entry(token, String(now + 3600)).slice(1)}`,
      };
  }
}

/** Writes `state` for `config` into its cache dir (and Redis), before the calls. */
export async function prepareDisk(
  api: RuntimeApi,
  state: DiskState,
  config: ReturnType<RuntimeApi["createConfig"]>,
  redis: { handle: RedisHandle; key: string } | undefined,
): Promise<Prepared> {
  const preexisting = new Set<string>();
  const drawnTexts = new Set<string>();
  const file = api.cacheFilePath(config);
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const marker = Math.random().toString(16).slice(2, 14);
  const { text, servable } = cacheText(state.cache, marker);
  if (text !== undefined) {
    drawnTexts.add(text);
    if (state.cacheForm === "file") {
      await writeFile(file, text, { mode: 0o600 });
      await chmod(file, state.cacheMode);
      if (servable) preexisting.add(servable);
      if (state.futureMtime) {
        const future = new Date(Date.now() + 365 * 86_400_000);
        await utimes(file, future, future);
      }
    } else if (state.cacheForm === "symlink") {
      // A link to a file elsewhere: never to be used, whatever it holds.
      const elsewhere = join(dirname(dir), `elsewhere-${basename(file)}`);
      await writeFile(elsewhere, text, { mode: 0o600 });
      await symlink(elsewhere, file);
    } else if (state.cacheForm === "dangling-symlink") {
      await symlink(join(dirname(dir), "nowhere"), file);
    } else {
      await mkdir(file);
    }
  }
  const lock = file.replace(/\.json$/, ".lock");
  const now = Date.now();
  const lockText = {
    none: undefined,
    "dead-pid": JSON.stringify({ pid: DEAD_PID, host: hostname(), createdAt: now }),
    future: JSON.stringify({ pid: DEAD_PID, host: "elsewhere", createdAt: now + 365 * 86_400_000 }),
    old: JSON.stringify({ pid: 1, host: "elsewhere", createdAt: now - 3_600_000 }),
    "live-own-pid": JSON.stringify({ pid: process.pid, host: hostname(), createdAt: now }),
    "other-host": JSON.stringify({ pid: 1, host: "elsewhere", createdAt: now }),
    garbage: "{pid:",
    empty: "",
    oversized: `{"pad":"${"0".repeat(70_000)}","pid":1,"host":"elsewhere","createdAt":${now}}`,
  }[state.lock];
  if (lockText !== undefined) await writeFile(lock, lockText, { mode: 0o600 });

  if (redis && state.redis !== "none") {
    const entry = cacheText(state.redis, `r${marker}`);
    if (entry.text !== undefined) {
      drawnTexts.add(entry.text);
      if (entry.servable) preexisting.add(entry.servable);
      await redis.handle.send("SET", [redis.key, entry.text, "PX", "600000"]);
    }
  }
  return { preexisting, drawnTexts };
}
