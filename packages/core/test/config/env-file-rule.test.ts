/**
 * The rule every `.env` file meets before a byte of it is read (docs/configuration.md, "The rule
 * every .env file meets"), in this process on real files: which kinds are refused and with which
 * words, whose files and links are read, which failures are "no file" and which are refusals, how
 * far a file is read. `readEnvFileWith` takes the uid it reads for, so one test process plays a
 * user who owns the file, one who does not, and root's files, whoever runs it.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { chmod, lchown, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EnvFileSystem,
  MAX_ENV_FILE_BYTES,
  readEnvFileWith,
} from "../../src/config/env-file.ts";
import { isRoot, modesBind, NOBODY, runWithoutModeOverride } from "../fixtures/another-user.ts";

const ME = process.getuid?.() ?? 1000;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-env-rule-"));
  path = join(dir, ".env");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (at: string, uid: number | undefined) => readEnvFileWith(fs, at, uid);
const refused = (reason: string) => ({ status: "refused" as const, reason });
const TEXT = "AUTH_BASE=http://127.0.0.1:8787\n";

async function plainFile(at = path, text = TEXT) {
  await writeFile(at, text, { mode: 0o600 });
  await chmod(at, 0o600);
}

/**
 * A file (or, with `link`, a symlink to a root-or-ours file) owned by a user other than root, and
 * that user's uid: root gives it to nobody; anyone else keeps it, and is not root.
 */
async function ownedByAUser(link = false): Promise<number> {
  if (link) {
    await plainFile(join(dir, "real.env"));
    await symlink(join(dir, "real.env"), path);
  } else {
    await plainFile();
  }
  if (!isRoot) return ME;
  await lchown(path, NOBODY, NOBODY);
  return NOBODY;
}

describe("a .env that is not a regular file is refused, naming what it is", () => {
  test("a directory, a FIFO, a socket, a device", async () => {
    expect(read(dir, ME)).toEqual(refused("it is a directory, not a regular file"));
    const fifo = join(dir, "fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    expect(read(fifo, ME)).toEqual(refused("it is a FIFO, not a regular file"));
    expect(read("/dev/null", ME)).toEqual(refused("it is a device, not a regular file"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, "socket"), resolve));
    try {
      expect(read(join(dir, "socket"), ME)).toEqual(refused("it is a socket, not a regular file"));
    } finally {
      server.close();
    }
  });
});

describe("whose file is read", () => {
  test("a file of the user's own is read, though the user is not root", async () => {
    const user = await ownedByAUser();
    expect(user).not.toBe(0);
    expect(read(path, user)).toEqual({ status: "ok", text: TEXT });
  });

  test("a file of root's is read by any user", async () => {
    // Root's own file read for another user; anyone else reads /etc/passwd (root's, 0644).
    const file = isRoot ? path : "/etc/passwd";
    if (isRoot) await plainFile();
    expect(fs.statSync(file).uid).toBe(0);
    expect(read(file, 1000 + (ME === 1000 ? 1 : 0)).status).toBe("ok");
  });

  test("a file of another user (not root) is refused, naming its uid and not calling it a link", async () => {
    const owner = await ownedByAUser();
    const reader = owner + 1;
    expect(read(path, reader)).toEqual(
      refused(`it is owned by another user (uid ${owner}), not by you or root`),
    );
  });

  test("writable by its group or others: refused, with the mode in four octal digits", async () => {
    await plainFile();
    await chmod(path, 0o020);
    expect(read(path, ME)).toEqual(
      refused("it is writable by its group or others (mode 0020; chmod go-w fixes it)"),
    );
  });

  test("with no uids on the OS (uid undefined): no owner or mode check, and any link is followed", async () => {
    await plainFile();
    await chmod(path, 0o666);
    expect(read(path, undefined)).toEqual({ status: "ok", text: TEXT });
    await rm(path);
    await ownedByAUser(true);
    expect(read(path, undefined)).toEqual({ status: "ok", text: TEXT });
  });
});

describe("whose link is followed", () => {
  test("a link of the user's own, though the user is not root, to a file of root's or theirs", async () => {
    const user = await ownedByAUser(true);
    expect(user).not.toBe(0);
    expect(read(path, user)).toEqual({ status: "ok", text: TEXT });
  });

  test("a link of root's, for any user", async () => {
    // Root's own link read for another user; anyone else reads /etc/os-release, a link of
    // root's to a file of root's on the systems this runs on.
    let link = "/etc/os-release";
    if (isRoot) {
      link = path;
      await plainFile(join(dir, "real.env"));
      await symlink(join(dir, "real.env"), link);
    }
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(link).uid).toBe(0);
    expect(read(link, 1000 + (ME === 1000 ? 1 : 0)).status).toBe("ok");
  });
});

describe("a .env that cannot be looked at or read", () => {
  test("a path under a regular file is no file (ENOTDIR), as a missing one is", async () => {
    await plainFile();
    expect(read(join(path, "below"), ME)).toEqual({ status: "missing" });
    expect(read(join(dir, "none"), ME)).toEqual({ status: "missing" });
  });

  test("a path through a symlink loop is refused, naming ELOOP", async () => {
    await symlink("loop", join(dir, "loop"));
    expect(read(join(dir, "loop", ".env"), ME)).toEqual(refused("cannot read it (ELOOP)"));
  });

  test("a file that passes the rule but may not be opened is refused, naming EACCES, whoever runs it", () => {
    // Root's, write-only, 0 bytes: /proc/sys refuses a read even to root.
    expect(read("/proc/sys/vm/drop_caches", ME)).toEqual(refused("cannot read it (EACCES)"));
  });

  test("a file whose read fails (EIO) is refused, naming EIO, and leaves no descriptor open", () => {
    // /proc/self/mem: this process's user's, 0600, 0 bytes by its stat; a read at 0 fails.
    const openFds = () => fs.readdirSync("/proc/self/fd").length;
    const before = openFds();
    for (let i = 0; i < 50; i++) {
      expect(read("/proc/self/mem", ME)).toEqual(refused("cannot read it (EIO)"));
    }
    expect(openFds() - before).toBeLessThan(10);
  });

  const UNREADABLE =
    "a file the user may not read is refused by its size first when it is over 64 KiB";
  test(UNREADABLE, async () => {
    if (!modesBind) {
      // Root reads any file: the case runs in a child that is root without that power.
      const child = await runWithoutModeOverride(import.meta.path, UNREADABLE);
      expect(child.output).toContain(" 1 pass");
      expect(child.code).toBe(0);
      return;
    }
    await plainFile(path, "A=1\n");
    await chmod(path, 0o000);
    expect(read(path, ME)).toEqual(refused("cannot read it (EACCES)"));
    await plainFile(join(dir, "big.env"), `A=${"x".repeat(MAX_ENV_FILE_BYTES)}\n`);
    await chmod(join(dir, "big.env"), 0o000);
    expect(read(join(dir, "big.env"), ME)).toEqual(refused("it is larger than 65536 bytes"));
  });
});

describe("how much is read", () => {
  test("a file of exactly 64 KiB is read whole", async () => {
    const text = `A=${"x".repeat(MAX_ENV_FILE_BYTES - 3)}\n`;
    await plainFile(path, text);
    const got = read(path, ME);
    expect(got.status === "ok" && got.text.length).toBe(MAX_ENV_FILE_BYTES);
  });

  test("a file that says it is small but goes on past 64 KiB is refused for its size", () => {
    // /proc/kallsyms: root's, 0444, 0 bytes by its stat, megabytes by its read.
    expect(fs.statSync("/proc/kallsyms").size).toBe(0);
    expect(read("/proc/kallsyms", ME)).toEqual(refused("it is larger than 65536 bytes"));
  });

  test("a byte-order mark at the start stays in the text, as readFileSync keeps it", async () => {
    await plainFile(path, `\uFEFF${TEXT}`);
    expect(read(path, ME)).toEqual({ status: "ok", text: `\uFEFF${TEXT}` });
  });
});

describe("a .env swapped between its stat and its open", () => {
  /** node:fs, but the path is replaced by `swap` just before it is opened. */
  const swappedAtOpen = (swap: () => void): EnvFileSystem => ({
    ...fs,
    openSync: (at: string, flags: number) => {
      swap();
      return fs.openSync(at, flags);
    },
  });

  test("for a FIFO: refused by the open file's fstat, without waiting for a writer", async () => {
    await plainFile();
    const fifo = join(dir, "fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const swap = () => fs.renameSync(fifo, path);
    expect(readEnvFileWith(swappedAtOpen(swap), path, ME)).toEqual(
      refused("it is a FIFO, not a regular file"),
    );
  });

  test("for a file others may write: refused by the open file's fstat", async () => {
    await plainFile();
    const theirs = join(dir, "theirs");
    await plainFile(theirs, "AUTH_BASE=https://evil.example\n");
    await chmod(theirs, 0o666);
    const swap = () => fs.renameSync(theirs, path);
    expect(readEnvFileWith(swappedAtOpen(swap), path, ME)).toEqual(
      refused("it is writable by its group or others (mode 0666; chmod go-w fixes it)"),
    );
  });
});
