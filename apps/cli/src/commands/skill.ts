/**
 * `skill install [--workspace DIR] [--force]`: writes the openclaw-gateway skill (the one in the
 * repository's skills/ folder, built into the CLI) to `<DIR>/skills/openclaw-gateway/`, where
 * OpenClaw loads workspace skills. DIR defaults to the working directory.
 *
 * It never overwrites a changed file silently: a file that is already there with the same bytes
 * is left as it is, a missing one is written, and one that differs (edited, or another
 * version's) stops the install before anything is written, naming the files, unless `--force`.
 * A dir where a file goes stops it even then. Nothing is read or written through a link
 * (skill/workspace-fs.ts), and a file larger than a skill could be is never read.
 */
import { lstat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import SKILL_MD from "../../../../skills/openclaw-gateway/SKILL.md" with { type: "text" };
import type { CommandLine } from "../args.ts";
import { ExitCode, note, usageError, writeJson, writeLine } from "../output.ts";
import {
  conflict,
  enterChecked,
  enterDir,
  type Found,
  inspectFile,
  writeAtomically,
} from "./skill/workspace-fs.ts";

/** The skill, file by file (paths relative to its folder). */
export const GATEWAY_SKILL = {
  name: "openclaw-gateway",
  files: { "SKILL.md": SKILL_MD } as Readonly<Record<string, string>>,
};

type FileState = "written" | "unchanged" | "replaced";

/** The workspace dir: `--workspace`, else the working directory; it must be a dir already. */
async function workspaceOf(cli: CommandLine) {
  const dir = resolve((cli.values.workspace as string | undefined) ?? process.cwd());
  const info = await lstat(dir).catch(() => undefined);
  // The path is not repeated: a value typed in the wrong place could be a secret.
  if (!info?.isDirectory()) throw usageError("the --workspace dir does not exist or is not a dir");
  return { dir, info };
}

/**
 * Runs `work` with the skill's dir as the working directory, entered one dir at a time from the
 * workspace and never through a link (workspace-fs.ts); with `create`, the missing dirs are made.
 * `work` gets false when a dir is missing (and not made). The working directory is restored.
 */
async function inSkillDir<T>(
  workspace: Awaited<ReturnType<typeof workspaceOf>>,
  create: boolean,
  work: (present: boolean) => Promise<T>,
): Promise<T> {
  const home = process.cwd();
  try {
    await enterChecked(workspace.dir, workspace.info, "the --workspace dir");
    const present =
      (await enterDir("skills", "skills", create)) &&
      (await enterDir(GATEWAY_SKILL.name, `skills/${GATEWAY_SKILL.name}`, create));
    return await work(present);
  } finally {
    try {
      process.chdir(home);
    } catch {
      // The working directory is gone: nothing after this looks at it.
    }
  }
}

/** The state a file ends in, by what is there now. */
const STATE_OF: Readonly<Record<Exclude<Found, "dir">, FileState>> = {
  missing: "written",
  same: "unchanged",
  different: "replaced",
};

export async function run(cli: CommandLine): Promise<number> {
  const action = cli.positionals[0];
  if (action !== "install") throw usageError("unknown skill action; the one action is 'install'");
  const force = cli.values.force === true;
  const workspace = await workspaceOf(cli);
  const skillDir = join(workspace.dir, "skills", GATEWAY_SKILL.name);
  const shown = (name: string) => relative(workspace.dir, join(skillDir, name));

  const found = await inSkillDir(workspace, false, async (present) => {
    const out: [string, Found][] = [];
    for (const [name, text] of Object.entries(GATEWAY_SKILL.files)) {
      out.push([name, present ? await inspectFile(name, text) : "missing"]);
    }
    return out;
  });
  const dirs = found.filter(([, what]) => what === "dir").map(([name]) => shown(name));
  if (dirs.length > 0) {
    throw conflict(`not installed: ${dirs.join(", ")}: a dir where a file goes (remove it)`);
  }
  const changed = found.filter(([, what]) => what === "different").map(([name]) => shown(name));
  if (changed.length > 0 && !force) {
    throw conflict(
      `not installed: ${changed.join(", ")} differ${changed.length === 1 ? "s" : ""} from this version's skill (keep your changes, or run again with --force to replace ${changed.length === 1 ? "it" : "them"})`,
    );
  }
  const plan = found.map(([name, what]) => ({
    name,
    state: STATE_OF[what as Exclude<Found, "dir">],
  }));

  const files = plan.map((file) => ({ path: shown(file.name), state: file.state }));
  if (cli.globals.dryRun) {
    for (const file of files) note(`dry run: ${file.path}: would be ${file.state}`);
    if (cli.globals.json)
      writeJson({ skill: GATEWAY_SKILL.name, dir: skillDir, files, dryRun: true });
    return ExitCode.Ok;
  }
  await inSkillDir(workspace, true, async () => {
    for (const file of plan) {
      const text = GATEWAY_SKILL.files[file.name] as string;
      if (file.state !== "unchanged") await writeAtomically(file.name, text, shown(file.name));
    }
  });

  if (cli.globals.json) {
    writeJson({ skill: GATEWAY_SKILL.name, dir: skillDir, files });
  } else {
    writeLine(skillDir);
    for (const file of files) note(`${file.path}: ${file.state}`);
  }
  return ExitCode.Ok;
}
