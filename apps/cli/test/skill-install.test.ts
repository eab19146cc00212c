/**
 * `openclaw-auth skill install [--workspace DIR] [--force]`: the openclaw-gateway skill written
 * to `<DIR>/skills/openclaw-gateway/` (the working dir by default), byte for byte the
 * repository's; an identical re-run is a no-op; a changed file is never overwritten silently.
 */
import { describe, expect, test } from "bun:test";
import { mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expectErrorLine, REPO, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const SOURCE = join(REPO, "skills/openclaw-gateway/SKILL.md");
const installed = () => join(fx.dir, "skills/openclaw-gateway/SKILL.md");

describe("skill install", () => {
  test(
    "writes the skill into the current workspace and prints its dir",
    async () => {
      const run = await fx.run(["skill", "install"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(`${join(fx.dir, "skills/openclaw-gateway")}\n`);
      expect(run.stderr).toContain("skills/openclaw-gateway/SKILL.md: written");
      expect(await readFile(installed(), "utf8")).toBe(await readFile(SOURCE, "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "--workspace DIR writes there; --json says what it did",
    async () => {
      const workspace = join(fx.dir, "ws");
      await mkdir(workspace);
      const run = await fx.run(["skill", "install", "--workspace", workspace, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        skill: "openclaw-gateway",
        dir: join(workspace, "skills/openclaw-gateway"),
        files: [{ path: "skills/openclaw-gateway/SKILL.md", state: "written" }],
      });
    },
    TIMEOUT_MS,
  );

  test(
    "run again on an identical skill, it changes nothing and succeeds",
    async () => {
      expect((await fx.run(["skill", "install"])).code).toBe(0);
      const before = await stat(installed());
      const again = await fx.run(["skill", "install"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("SKILL.md: unchanged");
      expect((await stat(installed())).mtimeMs).toBe(before.mtimeMs);
    },
    TIMEOUT_MS,
  );

  test(
    "a changed file is refused (exit 2, named, left as it is) unless --force",
    async () => {
      expect((await fx.run(["skill", "install"])).code).toBe(0);
      await writeFile(installed(), "my own edits\n");
      const refused = await fx.run(["skill", "install"]);
      expect(refused.code).toBe(2);
      expectErrorLine(refused, "SKILL_CONFLICT");
      expect(refused.stderr).toContain("skills/openclaw-gateway/SKILL.md");
      expect(refused.stderr).toContain("--force");
      expect(await readFile(installed(), "utf8")).toBe("my own edits\n");

      const forced = await fx.run(["skill", "install", "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toContain("SKILL.md: replaced");
      expect(await readFile(installed(), "utf8")).toBe(await readFile(SOURCE, "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "a symlink where SKILL.md goes is refused, and --force replaces the link, not its target",
    async () => {
      await mkdir(join(fx.dir, "skills/openclaw-gateway"), { recursive: true });
      const target = join(fx.dir, "elsewhere.md");
      await writeFile(target, "not yours\n");
      await symlink(target, installed());
      expect((await fx.run(["skill", "install"])).code).toBe(2);
      expect((await fx.run(["skill", "install", "--force"])).code).toBe(0);
      expect(await readFile(target, "utf8")).toBe("not yours\n");
      expect(await readFile(installed(), "utf8")).toBe(await readFile(SOURCE, "utf8"));
    },
    TIMEOUT_MS,
  );

  test(
    "a --workspace that does not exist, or another action, is a usage error (exit 2)",
    async () => {
      const missing = await fx.run(["skill", "install", "--workspace", join(fx.dir, "nope")]);
      expect(missing.code).toBe(2);
      expectErrorLine(missing, "USAGE_ERROR");
      expect((await fx.run(["skill", "remove"])).code).toBe(2);
      expect((await fx.run(["skill"])).code).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "--dry-run writes nothing",
    async () => {
      const run = await fx.run(["skill", "install", "--dry-run"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("would be written");
      expect(await stat(installed()).catch(() => undefined)).toBeUndefined();
    },
    TIMEOUT_MS,
  );
});
