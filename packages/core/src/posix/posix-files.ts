/**
 * File, process and host services over node:fs/node:os, which Bun and Node both implement
 * natively. Each runtime adapter adds its own hashing on top.
 */
import * as fs from "node:fs";
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, watch } from "node:fs";
import { chmod, link, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { type EnvFileRead, readEnvFileWith } from "../config/env-file.ts";
import type { PathInfo, Platform, PrivateFileRead } from "../platform/platform.ts";

const errorCode = (error: unknown) => (error as { code?: string } | null)?.code;

/** `kill(pid, 0)`: ESRCH means gone; EPERM means alive but someone else's. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

function kindOf(stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }) {
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "directory";
  return "other";
}

/**
 * Reads a cache or lock file: a few hundred bytes in a local directory. With blocking calls:
 * open, fstat, read and close through the thread pool cost several times the syscalls
 * themselves, and this read is what every cache hit of a new process waits for. O_NONBLOCK
 * keeps the open of a FIFO planted at the path from blocking (it is then refused by fstat).
 * The size is checked against `maxBytes` before reading, and the read is bounded by both: a
 * planted 1 GB (even sparse) file costs an fstat, not a gigabyte of memory.
 */
async function readPrivateFile(path: string, maxBytes: number): Promise<PrivateFileRead> {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted at the path fails with ELOOP instead of being followed.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "missing" };
    if (code === "ELOOP") return { status: "refused", reason: "it is a symlink" };
    return { status: "refused", reason: `cannot read it (${code ?? "error"})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { status: "refused", reason: "it is not a regular file" };
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      return { status: "refused", reason: `it is owned by another user (uid ${stats.uid})` };
    }
    if (stats.size > maxBytes) {
      return { status: "refused", reason: `it is larger than ${maxBytes} bytes` };
    }
    return { status: "ok", text: readAtMost(fd, stats.size, maxBytes) };
  } catch (error) {
    return { status: "refused", reason: `cannot read it (${errorCode(error) ?? "error"})` };
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's bytes up to `size` + 1 (a file that grew since its fstat, only ever a hostile
 * one, is read as far as that and then fails to parse), never past `maxBytes` + 1.
 */
function readAtMost(fd: number, size: number, maxBytes: number): string {
  const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let length = 0;
  while (length < buffer.length) {
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return buffer.toString("utf8", 0, length);
}

let tempCounter = 0;

/**
 * A unique name beside `path`, so the rename or link into place stays in one directory; the
 * format is the one `parseTempName` (platform.ts) reads.
 */
function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${++tempCounter}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * Creates a new 0600 file holding `text`; EEXIST if something is at `path`. A write that fails
 * once the file exists (ENOSPC, EDQUOT, EFBIG...) removes it: a partial file may hold part of
 * a token, and nobody else would ever remove it.
 */
async function writeNewFile(path: string, text: string, sync: boolean): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(text, "utf8");
    if (sync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
  await handle.close();
}

/** The first half of {@link writeFileAtomic}: the temp file, written and synced; its path. */
export async function writeTempFile(path: string, text: string): Promise<string> {
  const temp = tempPathFor(path);
  await writeNewFile(temp, text, true);
  return temp;
}

async function writeFileAtomic(path: string, text: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const temp = await writeTempFile(path, text);
    try {
      await rename(temp, path);
      return;
    } catch (error) {
      await unlink(temp).catch(() => {});
      // Our temp file was swept (by a `clear`, or by a process on another host sharing the
      // directory that took our pid for a dead one of its own): write it once more.
      if (errorCode(error) === "ENOENT" && attempt === 1) continue;
      throw error;
    }
  }
}

/** Errors of a file system without hard links. */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);

/**
 * Creates `path` holding `text`, or false when something is there. The text is written to a
 * temp file that is then hard-linked into place (link() refuses an existing path, as O_EXCL
 * does), so the file appears with its content: a creator killed between create and write would
 * otherwise leave an empty lock that every other process must wait out. Where the file system
 * has no hard links: an O_EXCL create, then the write.
 */
async function createFileExclusive(path: string, text: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const temp = tempPathFor(path);
    await writeNewFile(temp, text, false);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      const code = errorCode(error);
      if (code === "EEXIST") return false;
      // Our temp file was swept meanwhile (see writeFileAtomic): once more.
      if (code === "ENOENT" && attempt === 1) continue;
      if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
      break;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }
  try {
    await writeNewFile(path, text, false);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  }
}

/** A blocking lstat, for the same reason as {@link readPrivateFile}: it precedes every read. */
async function pathInfo(path: string): Promise<PathInfo | undefined> {
  try {
    const stats = lstatSync(path);
    return {
      kind: kindOf(stats),
      uid: stats.uid,
      mode: stats.mode & 0o777,
      mtimeMs: stats.mtimeMs,
    };
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

async function makeDirectory(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  }
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
  }
}

async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
}

/** A `.env` file by the cache files' rule (env-file.ts), with node:fs, which Bun and Node share. */
function readEnvFileSync(path: string): EnvFileRead {
  return readEnvFileWith(fs, path, process.getuid?.());
}

/**
 * fs.watch of the directory (inotify, kqueue, FSEvents), not persistent: a waiter's own timer
 * keeps its process alive, the watch never does. A watcher that fails to start, or fails later,
 * reports nothing more, and the waiter's poll goes on as the fallback.
 */
function watchDirectory(
  path: string,
  onChange: (name: string | undefined) => void,
): (() => void) | undefined {
  try {
    const watcher = watch(path, { persistent: false }, (_event, name) =>
      onChange(name == null ? undefined : String(name)),
    );
    const close = () => {
      try {
        watcher.close();
      } catch {}
    };
    watcher.on("error", close);
    return close;
  } catch {
    return undefined;
  }
}

/** Everything of {@link Platform} but hashing. */
export const posixServices: Omit<Platform, "name" | "sha256Hex"> = {
  hostname: () => hostname(),
  pid: () => process.pid,
  uid: () => process.getuid?.(),
  isProcessAlive,
  readEnvFileSync,
  cwd: () => process.cwd(),
  readPrivateFile,
  writeFileAtomic,
  createFileExclusive,
  removeFile,
  listDirectory,
  pathInfo,
  makeDirectory,
  setMode: (path, mode) => chmod(path, mode),
  watchDirectory,
};
