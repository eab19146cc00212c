/**
 * The `.env` files: which ones a process reads, the rule a file must meet to be read at all, a
 * read that never blocks, and the parse that needs no parser. Imports nothing but a type (the
 * `./config` entry re-exports it), so both runtimes, the CLI's warm path and the CLI's early secret
 * registration apply one rule with the `node:fs` they pass in. docs/configuration.md.
 */

import type { EnvFileRead } from "../platform/platform.ts";

export type { EnvFileRead };

// ---- Reading variables ----------------------------------------------------------------------

/** Variables as a process environment or a `.env` file holds them. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * How a variable is looked up: the first source that sets it wins (the environment, then the
 * `.env` file, then a skills folder's shared one), trimmed; blank counts as unset, so
 * `CLIENT_KEY=` in a shell falls through to `.env`.
 */
export function layeredReader(
  ...sources: readonly EnvSource[]
): (name: string) => string | undefined {
  return (name) => {
    for (const source of sources) {
      const value = source[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
}

/**
 * `.env` lines that need no parser: blank, comments, and `[export ]NAME=value` whose value
 * dotenv returns unchanged (no quotes, spaces, `#` or escapes).
 */
const PLAIN_LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_\-.:/@+,~%=]*)$/;

/**
 * A `.env` file's variables when every line is plain (what dotenv would return for it, without
 * loading dotenv), else undefined: the caller then leaves the file to the runtime's dotenv.
 */
export function parsePlainEnv(text: string): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = PLAIN_LINE.exec(line.replace(/\r$/, ""));
    if (!match) return undefined;
    // As dotenv: a later line wins.
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

// ---- Which files ----------------------------------------------------------------------------

/** The default env file, relative to the working directory. */
export const DEFAULT_ENV_FILE = ".env";

/** The folder of a skills dir that is not a skill: it holds what the skills share. */
const SHARED_FOLDER = "_shared";

/**
 * The shared env file of a process whose working dir `cwd` (absolute, `/`-separated) lies in a
 * skill's folder, `<dir>/skills/<skill>/` or any depth below it: `<dir>/skills/_shared/.env`,
 * where skill authors keep `CLIENT_KEY`. The innermost `skills/<skill>` of the path decides;
 * undefined anywhere else (the skills dir itself, `_shared` itself, a dir outside).
 *
 * @example
 * sharedEnvFileOf("/home/me/ws/skills/scrape/scripts"); // "/home/me/ws/skills/_shared/.env"
 */
export function sharedEnvFileOf(cwd: string): string | undefined {
  const parts = cwd.split("/");
  for (let i = parts.length - 2; i >= 0; i--) {
    const skill = parts[i + 1];
    if (parts[i] !== "skills" || !skill || skill === SHARED_FOLDER) continue;
    return [...parts.slice(0, i + 1), SHARED_FOLDER, DEFAULT_ENV_FILE].join("/");
  }
  return undefined;
}

// ---- The rule -------------------------------------------------------------------------------

/** A `.env` file larger than this is refused: the cache files' limit (a real one is a few lines). */
export const MAX_ENV_FILE_BYTES = 64 * 1024;

/** What the rule looks at: `node:fs` Stats (Bun's and Node's). */
export interface EnvFileStats {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  readonly uid: number;
  readonly mode: number;
  readonly size: number;
}

function kindOf(stats: EnvFileStats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "something else";
}

/**
 * Why a `.env` file may not be read, or undefined when it may: the cache files' rule. Anyone who
 * can write the file decides where the key goes (`AUTH_BASE`), so it must be a regular file of
 * `uid` (or root's) that neither its group nor others may write; a FIFO would block the read and
 * a device never ends, so only a regular file of at most {@link MAX_ENV_FILE_BYTES} is read.
 * Says nothing of the content. `uid` undefined (no uids on this OS): no owner or mode check.
 */
export function envFileRefusal(stats: EnvFileStats, uid: number | undefined): string | undefined {
  if (!stats.isFile()) return `it is ${kindOf(stats)}, not a regular file`;
  if (uid === undefined) return sizeRefusal(stats.size);
  if (stats.uid !== uid && stats.uid !== 0) {
    return `it is owned by another user (uid ${stats.uid}), not by you or root`;
  }
  if ((stats.mode & 0o022) !== 0) {
    const mode = `0${(stats.mode & 0o777).toString(8).padStart(3, "0")}`;
    return `it is writable by its group or others (mode ${mode}; chmod go-w fixes it)`;
  }
  return sizeRefusal(stats.size);
}

/**
 * Why a `.env` path that is a symlink may not be followed: a link decides which file is read as
 * well as the file itself does, so it must be the user's or root's too. Without this, another
 * user who can write the folder (a shared `skills/_shared/`) plants a link to any file of the
 * victim's or root's that happens to hold `AUTH_BASE=…`.
 */
function linkRefusal(
  link: { isSymbolicLink(): boolean; readonly uid: number },
  uid: number | undefined,
): string | undefined {
  if (uid === undefined || !link.isSymbolicLink() || link.uid === uid || link.uid === 0) {
    return undefined;
  }
  return `it is a symlink owned by another user (uid ${link.uid}), not by you or root`;
}

const sizeRefusal = (size: number) =>
  size > MAX_ENV_FILE_BYTES ? `it is larger than ${MAX_ENV_FILE_BYTES} bytes` : undefined;

// ---- The read -------------------------------------------------------------------------------

/** The `node:fs` functions {@link readEnvFileWith} uses (pass `node:fs` itself). */
export interface EnvFileSystem {
  readonly constants: { readonly O_RDONLY: number; readonly O_NONBLOCK: number };
  lstatSync(path: string): { isSymbolicLink(): boolean; readonly uid: number };
  statSync(path: string): EnvFileStats;
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): EnvFileStats;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
}

const errorCode = (error: unknown) => (error as { code?: string } | null)?.code ?? "error";

/**
 * Reads the `.env` file at `path` if {@link envFileRefusal} allows it, synchronously (a config is
 * built synchronously) and without ever blocking: the path is stat'ed first (following a symlink
 * of the user's or root's: a link can only name a file that meets the same rule), so a FIFO or a device is never even
 * opened; the file is opened O_NONBLOCK and its fstat checked again, in case the path was
 * swapped in between; at most {@link MAX_ENV_FILE_BYTES} + 1 bytes are read, whatever it says.
 *
 * @example
 * import * as fs from "node:fs";
 * const read = readEnvFileWith(fs, ".env", process.getuid?.());
 */
export function readEnvFileWith(
  fs: EnvFileSystem,
  path: string,
  uid: number | undefined,
): EnvFileRead {
  try {
    const refusal = linkRefusal(fs.lstatSync(path), uid) ?? envFileRefusal(fs.statSync(path), uid);
    if (refusal) return { status: "refused", reason: refusal };
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "missing" };
    return { status: "refused", reason: `cannot read it (${code})` };
  }
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return { status: "refused", reason: `cannot read it (${errorCode(error)})` };
  }
  try {
    const refusal = envFileRefusal(fs.fstatSync(fd), uid);
    if (refusal) return { status: "refused", reason: refusal };
    const bytes = readAtMost(fs, fd, MAX_ENV_FILE_BYTES + 1);
    if (bytes.length > MAX_ENV_FILE_BYTES) {
      return { status: "refused", reason: `it is larger than ${MAX_ENV_FILE_BYTES} bytes` };
    }
    // As readFileSync(path, "utf8"): a byte-order mark stays (dotenv reads past it).
    return { status: "ok", text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) };
  } catch (error) {
    return { status: "refused", reason: `cannot read it (${errorCode(error)})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** Up to `limit` bytes of `fd` (a file that grows while it is read stops there). */
function readAtMost(fs: EnvFileSystem, fd: number, limit: number): Uint8Array {
  const buffer = new Uint8Array(limit);
  let length = 0;
  while (length < limit) {
    const n = fs.readSync(fd, buffer, length, limit - length, null);
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}
