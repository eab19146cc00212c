/**
 * Every skill folder of the repository passes the AgentSkills reference validator
 * (`skills-ref validate`, the npm package), and declares to OpenClaw what it needs: metadata as
 * one line of JSON whose `openclaw` object names the binaries, CLIENT_KEY as the primary env,
 * and for the gateway skill the node package that installs `openclaw-auth`.
 */
import { describe, expect, test } from "bun:test";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

const SKILLS = resolve(import.meta.dir, "..");
const VALIDATOR = join(SKILLS, "node_modules/skills-ref/dist/cli.js");

/** Every folder under skills/ that holds a SKILL.md. */
async function skillFolders(): Promise<string[]> {
  const glob = new Bun.Glob("**/SKILL.md");
  const found: string[] = [];
  for await (const path of glob.scan({ cwd: SKILLS })) {
    if (!path.includes("node_modules")) found.push(join(SKILLS, dirname(path)));
  }
  return found.sort();
}

async function validate(dir: string) {
  const child = Bun.spawn(["node", VALIDATOR, "validate", dir], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: stdout + stderr };
}

/** The frontmatter's `metadata` line, parsed as the JSON it must be. */
async function openclawMetadata(dir: string) {
  const text = await readFile(join(dir, "SKILL.md"), "utf8");
  const line = /^metadata: (.*)$/m.exec(text.split(/^---$/m)[1] ?? "")?.[1];
  expect(line, `${dir}: one metadata line`).toBeDefined();
  return JSON.parse(line as string).openclaw;
}

describe("the skill folders", () => {
  test("are the gateway skill and the two examples", async () => {
    const names = (await skillFolders()).map((dir) => basename(dir));
    expect(names).toEqual(["scrape-1688-py", "scrape-1688-ts", "openclaw-gateway"]);
  });

  test("each passes skills-ref validate", async () => {
    for (const dir of await skillFolders()) {
      const { code, output } = await validate(dir);
      expect({ dir, code, output }).toEqual({ dir, code: 0, output: `Valid skill: ${dir}\n` });
    }
  });

  test("skills-ref refuses a skill whose name is not its folder's (the check bites)", async () => {
    const work = await mkdtemp(join(tmpdir(), "openclaw-skills-"));
    try {
      const copy = join(work, "renamed-skill");
      await cp(join(SKILLS, "openclaw-gateway"), copy, { recursive: true });
      expect((await validate(copy)).code).not.toBe(0);
      await writeFile(join(copy, "SKILL.md"), "---\nname: renamed-skill\n---\n");
      expect((await validate(copy)).output).toContain("description");
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  test("the gateway skill declares openclaw-auth, CLIENT_KEY as its primary env, and the npm package", async () => {
    const openclaw = await openclawMetadata(join(SKILLS, "openclaw-gateway"));
    expect(openclaw.requires).toEqual({ bins: ["openclaw-auth"], env: ["CLIENT_KEY"] });
    expect(openclaw.primaryEnv).toBe("CLIENT_KEY");
    expect(openclaw.install).toEqual([
      expect.objectContaining({
        kind: "node",
        package: "@openclaw/auth-cli",
        bins: ["openclaw-auth"],
      }),
    ]);
  });

  test("the examples need their runtime and CLIENT_KEY", async () => {
    const ts = await openclawMetadata(join(SKILLS, "examples/scrape-1688-ts"));
    expect(ts.requires).toEqual({ bins: ["bun"], env: ["CLIENT_KEY"] });
    const py = await openclawMetadata(join(SKILLS, "examples/scrape-1688-py"));
    expect(py.requires).toEqual({ bins: ["python3", "openclaw-auth"], env: ["CLIENT_KEY"] });
    for (const openclaw of [ts, py]) expect(openclaw.primaryEnv).toBe("CLIENT_KEY");
  });
});
