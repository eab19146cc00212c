/**
 * `skill install [--workspace DIR] [--force]`: writes the openclaw-gateway skill (the one in the
 * repository's skills/ folder, built into the CLI) to `<DIR>/skills/openclaw-gateway/`, where
 * OpenClaw loads workspace skills. DIR defaults to the working directory.
 *
 * It never overwrites a changed file silently: a file that is already there with the same bytes
 * is left as it is, a missing one is written, and one that differs (edited, or another
 * version's) stops the install before anything is written, naming the files, unless `--force`.
 */
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import SKILL_MD from "../../../../skills/openclaw-gateway/SKILL.md" with { type: "text" };
import type { CommandLine } from "../args.ts";
import { CliError, ExitCode, note, usageError, writeJson, writeLine } from "../output.ts";

/** The skill, file by file (paths relative to its folder). */
export const GATEWAY_SKILL = {
  name: "openclaw-gateway",
  files: { "SKILL.md": SKILL_MD } as Readonly<Record<string, string>>,
};

type FileState = "written" | "unchanged" | "replaced";

/** What is at `path` now, against the text the skill has there. */
async function stateOf(path: string, text: string): Promise<FileState | "changed"> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return "written";
    throw error;
  }
  // A symlink or a dir where a file goes is someone's doing: never written through or over.
  if (!info.isFile()) return "changed";
  return (await readFile(path, "utf8")) === text ? "unchanged" : "changed";
}

/** The workspace dir: `--workspace`, else the working directory; it must be a dir already. */
async function workspaceOf(cli: CommandLine): Promise<string> {
  const dir = resolve((cli.values.workspace as string | undefined) ?? process.cwd());
  const info = await lstat(dir).catch(() => undefined);
  // The path is not repeated: a value typed in the wrong place could be a secret.
  if (!info?.isDirectory()) throw usageError("the --workspace dir does not exist or is not a dir");
  return dir;
}

/** Writes `text` to `path` whole or not at all (temp file + rename in the same dir). */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o644, flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function run(cli: CommandLine): Promise<number> {
  const action = cli.positionals[0];
  if (action !== "install") throw usageError("unknown skill action; the one action is 'install'");
  const force = cli.values.force === true;
  const workspace = await workspaceOf(cli);
  const skillDir = join(workspace, "skills", GATEWAY_SKILL.name);
  const shown = (path: string) => relative(workspace, path) || ".";

  for (const dir of [join(workspace, "skills"), skillDir]) {
    const info = await lstat(dir).catch(() => undefined);
    if (info && !info.isDirectory()) {
      throw new CliError("SKILL_CONFLICT", `${shown(dir)} is not a dir`, ExitCode.Usage);
    }
  }
  const plan: { path: string; text: string; state: FileState }[] = [];
  const changed: string[] = [];
  for (const [name, text] of Object.entries(GATEWAY_SKILL.files)) {
    const path = join(skillDir, name);
    const state = await stateOf(path, text);
    if (state === "changed") changed.push(shown(path));
    plan.push({ path, text, state: state === "changed" ? "replaced" : state });
  }
  if (changed.length > 0 && !force) {
    throw new CliError(
      "SKILL_CONFLICT",
      `not installed: ${changed.join(", ")} differ${changed.length === 1 ? "s" : ""} from this version's skill (keep your changes, or run again with --force to replace ${changed.length === 1 ? "it" : "them"})`,
      ExitCode.Usage,
    );
  }

  const files = plan.map((file) => ({ path: shown(file.path), state: file.state }));
  if (cli.globals.dryRun) {
    for (const file of files) note(`dry run: ${file.path}: would be ${file.state}`);
    if (cli.globals.json)
      writeJson({ skill: GATEWAY_SKILL.name, dir: skillDir, files, dryRun: true });
    return ExitCode.Ok;
  }
  await mkdir(skillDir, { recursive: true, mode: 0o755 });
  for (const file of plan) {
    // rename() replaces a file or a symlink itself (never what a symlink points at).
    if (file.state !== "unchanged") await writeAtomically(file.path, file.text);
  }

  if (cli.globals.json) {
    writeJson({ skill: GATEWAY_SKILL.name, dir: skillDir, files });
  } else {
    writeLine(skillDir);
    for (const file of files) note(`${file.path}: ${file.state}`);
  }
  return ExitCode.Ok;
}
