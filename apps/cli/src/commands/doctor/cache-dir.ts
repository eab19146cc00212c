/**
 * `doctor`'s cache-dir check: what `token` will do with AUTH_CACHE_DIR, without creating or
 * changing anything. The runtime refuses a dir that is a symlink, not a dir or another user's
 * (fail); it keeps tokens in memory only, with a warning, when it cannot create the dir or write
 * in it, or cannot even look at it (warn, with the reason: `token` still works); it makes a dir
 * of ours that others can read 0700 at its next write (warn).
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { cacheFilesOf, platform, tokenManagerFor } from "../../context.ts";
import type { Check } from "./check.ts";

const MEMORY_ONLY = "tokens are kept in memory only";

/** A file-system error as the runtime's warnings show it: its code, with the call and path when known. */
function fsReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return undefined;
  return error instanceof Error ? error.message : code;
}

/** Why this process cannot write in the dir at `path` (its code), or undefined when it can. */
async function whyNotWritable(path: string): Promise<string | undefined> {
  try {
    // W_OK and X_OK: a file is created in a dir by its path, which needs search as well.
    await access(path, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? "error";
  }
}

/**
 * Why `mkdir -p dir` would fail (a code), or undefined when it would succeed: its nearest
 * existing ancestor must be a dir this process can write in.
 */
async function whyNotCreatable(dir: string): Promise<string | undefined> {
  for (let path = dirname(resolve(dir)); ; path = dirname(path)) {
    try {
      const info = await stat(path);
      return info.isDirectory() ? await whyNotWritable(path) : "ENOTDIR";
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error";
      if (code !== "ENOENT" || dirname(path) === path) return code;
    }
  }
}

const memoryOnly = (dir: string, reason: string): Check => ({
  check: "cache dir",
  level: "warn",
  message: `not using cache dir ${dir}: ${reason}; ${MEMORY_ONLY} (set AUTH_CACHE_DIR to a dir you can write in)`,
});

/** The cache dir as the runtime will judge it when it next reads and writes a token. */
export async function checkCacheDir(config: EnvConfig): Promise<Check> {
  const dir = config.cacheDir;
  // The problem is this check's message, not a warning as well.
  const files = cacheFilesOf(tokenManagerFor(config, () => {}));
  let problem: string | undefined;
  let info: Awaited<ReturnType<typeof platform.pathInfo>>;
  try {
    // Looked at first: a dir that cannot be looked at is no danger, only memory-only (a warning),
    // where checkDir's problems (a symlink, another user's dir) are failures.
    info = await platform.pathInfo(dir);
    problem = await files.checkDir({ create: false });
    if (problem) info = undefined;
  } catch (error) {
    // An unreadable parent (EACCES on lstat): `token` goes on without the cache, so do we.
    const reason = fsReason(error);
    if (reason === undefined) throw error;
    return memoryOnly(dir, `cannot look at it (${reason})`);
  }
  if (problem) {
    return {
      check: "cache dir",
      level: "fail",
      message: `${problem} (set AUTH_CACHE_DIR to a dir of your own)`,
    };
  }
  if (!info) {
    const blocked = await whyNotCreatable(dir);
    if (blocked) return memoryOnly(dir, `cannot create it (${blocked})`);
    return {
      check: "cache dir",
      level: "ok",
      message: `${dir} does not exist yet; it is created 0700 with the first token`,
    };
  }
  const mode = `0${info.mode.toString(8).padStart(3, "0")}`;
  // The runtime uses such a dir and makes it 0700 (owner rwx) when it next writes a token.
  if ((info.mode & 0o077) !== 0) {
    return {
      check: "cache dir",
      level: "warn",
      message: `${dir} has mode ${mode}: others can see it; it is made 0700 at the next token write`,
    };
  }
  const denied = await whyNotWritable(dir);
  if (denied) return memoryOnly(dir, `cannot write in it (${denied}; mode ${mode})`);
  return {
    check: "cache dir",
    level: "ok",
    message: `${dir} is private (${mode}) and yours`,
  };
}
