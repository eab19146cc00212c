/**
 * openclaw-auth's dispatcher: parses the command line and runs one command. Each command's
 * module (and the runtime or the dev gateway behind it) is imported only when that command runs.
 * main.ts loads this module when the warm path of `token` does not apply.
 */
import { type CommandLine, parseCommandLine } from "./args.ts";
import { registerKnownSecrets } from "./env.ts";
import {
  ExitCode,
  flushOutput,
  reportError,
  setJsonMessages,
  setQuiet,
  usageError,
  wantsJson,
  writeBlock,
  writeErr,
  writeJson,
  writeLine,
} from "./output.ts";
import { commandHelp, findCommand, mainHelp } from "./spec.ts";
import { lendWarmPath, type WarmPath } from "./warm-path.ts";

/** A command: runs and answers its exit code. */
export type Command = (cli: CommandLine) => Promise<number>;

const COMMAND_MODULES: Readonly<Record<string, () => Promise<{ run: Command }>>> = {
  token: () => import("./commands/token.ts"),
  request: () => import("./commands/request.ts"),
  status: () => import("./commands/status.ts"),
  clear: () => import("./commands/clear.ts"),
  doctor: () => import("./commands/doctor.ts"),
  "dev-gateway": () => import("./commands/dev-gateway.ts"),
  completion: () => import("./commands/completion.ts"),
  skill: () => import("./commands/skill.ts"),
};

async function version(): Promise<string> {
  const pkg = await import("../package.json", { with: { type: "json" } });
  return pkg.default.version;
}

/**
 * Runs the command line `argv` and answers the exit code once its output is written; `lent` is
 * what the entry shares with its warm path (warm-path.ts).
 */
export async function main(argv: readonly string[], lent: WarmPath): Promise<number> {
  lendWarmPath(lent);
  const code = await run(argv);
  await flushOutput();
  return code;
}

async function run(argv: readonly string[]): Promise<number> {
  try {
    // Before anything can be printed: a usage error may repeat what the user typed.
    registerKnownSecrets(argv);
    // Before parsing: a usage error under --json is JSON too.
    setJsonMessages(wantsJson(argv));
    const cli = parseCommandLine(argv);
    setQuiet(cli.globals.quiet);
    if (cli.globals.verbose) {
      // Loaded only when asked for: the runtime's own event lines, redacted like every stderr line.
      const { enableDebugLines } = await import("@openclaw/auth-runtime/adapter");
      enableDebugLines((line) => writeErr(`${line}\n`));
    }
    const { command } = cli;
    if (command?.name === "help") {
      const topic = cli.positionals[0];
      // An unknown topic is reported like an unknown command, with its suggestion.
      const spec =
        topic === undefined ? undefined : (findCommand(topic) ?? parseCommandLine([topic]).command);
      writeBlock(spec ? commandHelp(spec) : mainHelp());
      return ExitCode.Ok;
    }
    if (cli.globals.help) {
      writeBlock(command ? commandHelp(command) : mainHelp());
      return ExitCode.Ok;
    }
    if (cli.globals.version) {
      const number = await version();
      if (cli.globals.json) writeJson({ version: number });
      else writeLine(number);
      return ExitCode.Ok;
    }
    if (!command) {
      if (cli.globals.json) throw usageError("no command given (see: openclaw-auth --help)");
      writeErr(mainHelp());
      return ExitCode.Usage;
    }
    const load = COMMAND_MODULES[command.name];
    if (!load) throw new Error(`no module for command ${command.name}`);
    return await (await load()).run(cli);
  } catch (error) {
    return reportError(error);
  }
}
