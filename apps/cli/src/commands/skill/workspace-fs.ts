/**
 * The file system work of `skill install`, done so that nothing outside the workspace is read
 * or written, whatever someone swaps in meanwhile. Node has no openat(), so the working
 * directory is the handle: each dir is entered with chdir and then checked to be the very dir
 * lstat saw (same dev and ino; a dir, not a link), and files are opened and renamed by their
 * name in it. A path swapped for a symlink after the check cannot redirect a later step: the
 * steps no longer look at the path. A file is looked at without following a link, and read only
 * when it is a regular file small enough to be the skill.
 */
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { CliError, ExitCode } from "../../output.ts";

/** Larger than any skill this CLI ships could be: such a file is someone else's, never read. */
export const MAX_SKILL_FILE_BYTES = 1024 * 1024;

/** A file or dir in the way of the install (exit 2). */
export const conflict = (message: string) =>
  new CliError("SKILL_CONFLICT", message, ExitCode.Usage);

const isMissing = (error: unknown) => (error as { code?: string }).code === "ENOENT";

/**
 * Makes the working directory the dir that `seen` (an lstat of it) describes, by `name`; throws
 * SKILL_CONFLICT when what chdir reached is another (the name was swapped for a link to
 * elsewhere between the lstat and now) or not a plain dir.
 */
export async function enterChecked(name: string, seen: Stats, shown: string): Promise<void> {
  if (!seen.isDirectory()) throw conflict(`${shown} is not a dir`);
  process.chdir(name);
  const here = await stat(".");
  if (here.dev !== seen.dev || here.ino !== seen.ino) {
    throw conflict(`${shown} changed while installing (a link now, or another dir): not used`);
  }
}

/**
 * Enters `name`, a dir in the working directory (created first with `create`); false when it is
 * missing and not created. Never through a symlink.
 */
export async function enterDir(name: string, shown: string, create: boolean): Promise<boolean> {
  let seen = await lstat(name).catch((error) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (!seen) {
    if (!create) return false;
    await mkdir(name, { mode: 0o755 }).catch((error) => {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    });
    seen = await lstat(name);
  }
  await enterChecked(name, seen, shown);
  return true;
}

/** What is at `name` in the working directory, against the bytes the skill has there. */
export type Found = "missing" | "same" | "different" | "dir";

export async function inspectFile(name: string, text: string): Promise<Found> {
  let info: Stats;
  try {
    info = await lstat(name);
  } catch (error) {
    if (isMissing(error)) return "missing";
    throw error;
  }
  if (info.isDirectory()) return "dir";
  // A symlink, a FIFO, a device, or more than the skill could be: someone's, not read.
  if (!info.isFile() || info.size > MAX_SKILL_FILE_BYTES) return "different";
  const expected = Buffer.from(text);
  // O_NOFOLLOW and O_NONBLOCK: swapped for a link or a FIFO since the lstat, it is not followed
  // and does not block; fstat then says what was opened.
  const file = await open(name, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const opened = await file.stat();
    if (!opened.isFile() || opened.size !== expected.length) return "different";
    // One byte more than expected: a file that grew since the fstat is not taken as the same.
    const bytes = Buffer.alloc(expected.length + 1);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await file.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length === expected.length && expected.equals(bytes.subarray(0, length))
      ? "same"
      : "different";
  } finally {
    await file.close();
  }
}

/**
 * Writes `text` as `name` in the working directory whole or not at all: a temp file created
 * there (O_EXCL and O_NOFOLLOW: never an existing file, never through a link), then renamed over
 * `name` (which replaces a file or a link itself, never what a link points at). A dir at `name`
 * is a conflict named `shown`.
 */
export async function writeAtomically(name: string, text: string, shown: string): Promise<void> {
  const temp = `${name}.${process.pid}.tmp`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    const file = await open(temp, flags, 0o644);
    try {
      await file.writeFile(text);
    } finally {
      await file.close();
    }
    await rename(temp, name);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as { code?: string }).code;
    if (code === "EISDIR" || code === "ENOTEMPTY" || code === "EEXIST") {
      throw conflict(`not installed: ${shown} is a dir, not a file (remove it to install)`);
    }
    throw error;
  }
}
