/**
 * A `.env` path that is a symlink is followed only when the link is the user's or root's: the
 * link picks the file as surely as the file's content picks AUTH_BASE. Another user who may
 * write a shared folder (`skills/_shared/`) could otherwise point `.env` at any file of the
 * victim's or root's. Real links in a temp dir; the victim is the uid the read is made for.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import * as fs from "node:fs";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnvFileWith } from "../../src/config/env-file.ts";
import { isRoot, NOBODY } from "../fixtures/another-user.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openclaw-env-links-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A link owned by someone other than the victim and root, and the victim's uid. */
async function foreignLink(target: string): Promise<{ link: string; victim: number }> {
  const link = join(dir, ".env");
  await symlink(target, link);
  if (isRoot) {
    // Root may give the link away; the victim is root, whose files the rule accepts.
    fs.lchownSync(link, NOBODY, NOBODY);
    return { link, victim: 0 };
  }
  // Our link; the victim is another (non-root) user.
  return { link, victim: (process.getuid?.() ?? 1000) + 1 };
}

test("a .env symlink owned by another user is not followed, even to a root file that meets the rule", async () => {
  // /etc/passwd: root's, 0644, a few KiB: a file the rule accepts on its own.
  const { link, victim } = await foreignLink("/etc/passwd");
  const read = readEnvFileWith(fs, link, victim);
  expect(read).toEqual({
    status: "refused",
    reason: expect.stringContaining("a symlink owned by another user") as unknown as string,
  });
});

test("a .env symlink of the user's own to the user's own file is followed", async () => {
  const target = join(dir, "real.env");
  await writeFile(target, "AUTH_BASE=http://127.0.0.1:8787\n", { mode: 0o600 });
  const link = join(dir, ".env");
  await symlink(target, link);
  expect(readEnvFileWith(fs, link, process.getuid?.())).toEqual({
    status: "ok",
    text: "AUTH_BASE=http://127.0.0.1:8787\n",
  });
});
