/**
 * `skill install` in a workspace someone else shaped: a huge or special SKILL.md is never read,
 * a dir where SKILL.md goes is a named conflict, and a link where a dir goes never sends the
 * write outside the workspace, not even when it is swapped in after the checks.
 */
import { describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, symlinkSync } from "node:fs";
import { mkdir, open, readFile, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { enterChecked, MAX_SKILL_FILE_BYTES } from "../src/commands/skill/workspace-fs.ts";
import { CLI_DIR, expectErrorLine, REPO, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const SOURCE = join(REPO, "skills/openclaw-gateway/SKILL.md");
const skillDir = () => join(fx.dir, "skills/openclaw-gateway");
const installed = () => join(skillDir(), "SKILL.md");

/** Runs the CLI in the test's dir and answers its exit code, stderr and peak memory (bytes). */
async function runMeasured(args: string[]) {
  const child = Bun.spawn([process.execPath, CLI_DIR, ...args], {
    cwd: fx.dir,
    env: fx.env(),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  return { code, stderr, maxRss: child.resourceUsage()?.maxRSS ?? Number.NaN };
}

const MiB = 1024 * 1024;

describe("skill install in a hostile workspace", () => {
  test(
    "a SKILL.md larger than any skill is a conflict, and --force replaces it, without reading it",
    async () => {
      await mkdir(skillDir(), { recursive: true });
      // Sparse: 512 MiB on paper, nothing on disk. Read whole, it took more than that in memory
      // (3 GiB crashed the CLI).
      const file = await open(installed(), "w");
      await file.close();
      await truncate(installed(), 512 * MiB);
      const refused = await runMeasured(["skill", "install"]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain("SKILL_CONFLICT");
      expect(refused.stderr).toContain("skills/openclaw-gateway/SKILL.md");
      expect(refused.maxRss).toBeLessThan(256 * MiB);
      expect((await stat(installed())).size).toBe(512 * MiB);

      const forced = await runMeasured(["skill", "install", "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toContain("SKILL.md: replaced");
      expect(forced.maxRss).toBeLessThan(256 * MiB);
      expect(await readFile(installed(), "utf8")).toBe(await readFile(SOURCE, "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "a file one byte over the limit is a conflict; a file of the skill's own bytes is unchanged",
    async () => {
      await mkdir(skillDir(), { recursive: true });
      await writeFile(installed(), Buffer.alloc(MAX_SKILL_FILE_BYTES + 1, 0x61));
      const refused = await fx.run(["skill", "install"]);
      expect(refused.code).toBe(2);
      expectErrorLine(refused, "SKILL_CONFLICT");
      await writeFile(installed(), await readFile(SOURCE));
      const same = await fx.run(["skill", "install"]);
      expect(same.code, same.stderr).toBe(0);
      expect(same.stderr).toContain("SKILL.md: unchanged");
    },
    TIMEOUT_MS,
  );

  test(
    "a FIFO where SKILL.md goes is a conflict at once, and --force replaces it",
    async () => {
      await mkdir(skillDir(), { recursive: true });
      expect(Bun.spawnSync(["mkfifo", installed()]).exitCode).toBe(0);
      const refused = await fx.run(["skill", "install"]);
      expect(refused.code).toBe(2);
      expectErrorLine(refused, "SKILL_CONFLICT");
      const forced = await fx.run(["skill", "install", "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(await readFile(installed(), "utf8")).toBe(await readFile(SOURCE, "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "a dir where SKILL.md goes is a SKILL_CONFLICT naming it (exit 2), with --force too",
    async () => {
      await mkdir(installed(), { recursive: true });
      for (const args of [[], ["--force"]]) {
        const run = await fx.run(["skill", "install", ...args]);
        expect(run.code, run.stderr).toBe(2);
        expectErrorLine(run, "SKILL_CONFLICT");
        expect(run.stderr).toContain("skills/openclaw-gateway/SKILL.md");
        expect(run.stderr).not.toContain("INTERNAL_ERROR");
      }
      expect((await stat(installed())).isDirectory()).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "skills/openclaw-gateway as a link to a dir outside is refused, with --force too, and the dir outside stays untouched",
    async () => {
      const victim = join(fx.dir, "victim");
      await mkdir(victim);
      await mkdir(join(fx.dir, "skills"));
      await symlink(victim, skillDir());
      for (const args of [[], ["--force"]]) {
        const run = await fx.run(["skill", "install", ...args]);
        expect(run.code).toBe(2);
        expectErrorLine(run, "SKILL_CONFLICT");
      }
      expect(readdirSync(victim)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

describe("entering a workspace dir", () => {
  test("a dir swapped for a link after it was checked is refused, not entered as if it were it", async () => {
    const dir = realpathSync(fx.dir);
    const home = process.cwd();
    mkdirSync(join(dir, "skills"));
    mkdirSync(join(dir, "victim"));
    const seen = lstatSync(join(dir, "skills"));
    // The swap in the window: the checked dir moved away, a link to elsewhere in its place.
    renameSync(join(dir, "skills"), join(dir, "moved"));
    symlinkSync(join(dir, "victim"), join(dir, "skills"));
    try {
      process.chdir(dir);
      let error: unknown;
      await enterChecked("skills", seen, "skills").catch((caught) => {
        error = caught;
      });
      expect(error).toMatchObject({ code: "SKILL_CONFLICT" });
      expect(String((error as Error).message)).toContain("skills changed while installing");
    } finally {
      process.chdir(home);
    }
  });

  test("the dir that was checked is entered", async () => {
    const dir = realpathSync(fx.dir);
    const home = process.cwd();
    mkdirSync(join(dir, "skills"));
    try {
      process.chdir(dir);
      await enterChecked("skills", lstatSync(join(dir, "skills")), "skills");
      expect(process.cwd()).toBe(join(dir, "skills"));
    } finally {
      process.chdir(home);
    }
  });
});
