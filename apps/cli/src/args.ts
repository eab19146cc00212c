/**
 * The command line, parsed with node:util parseArgs (strict): the command, its options and
 * arguments, and the global options, which may come before or after the command. Every mistake
 * is a usage error with a hint.
 */
import { parseArgs } from "node:util";
import { safeToRepeat, usageError } from "./output.ts";
import {
  COMMANDS,
  type CommandSpec,
  findCommand,
  GLOBAL_OPTIONS,
  type OptionSpec,
} from "./spec.ts";

export interface GlobalOptions {
  readonly envFile: string | undefined;
  readonly base: string | undefined;
  readonly dryRun: boolean;
  /** `--json`: results as JSON on stdout, errors as one JSON object on stderr. */
  readonly json: boolean;
  readonly quiet: boolean;
  /** `--verbose`: the runtime's events on stderr, one line each (as AUTH_DEBUG=1). */
  readonly verbose: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export type OptionValue = string | boolean | string[] | undefined;

/** What a command runs with. */
export interface CommandLine {
  /** Undefined when no command was given (`--help`, `--version`, or nothing). */
  readonly command: CommandSpec | undefined;
  /** The command's own options, by long name. */
  readonly values: Readonly<Record<string, OptionValue>>;
  /** The command's arguments (the command name left out). */
  readonly positionals: readonly string[];
  readonly globals: GlobalOptions;
}

const ALL_OPTIONS: ReadonlyMap<string, OptionSpec> = new Map(
  [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options)].flatMap((o) => Object.entries(o)),
);

/** `--name` and `-x` spellings of the options that take a value, of any command. */
const TAKES_VALUE: ReadonlySet<string> = new Set(
  [...ALL_OPTIONS].flatMap(([name, spec]) =>
    spec.type === "string" ? [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])] : [],
  ),
);

/** Whether `arg` (`--name`, `--name=value`, `-x`, `-xyz`) names only options of some command. */
function isKnownFlag(arg: string): boolean {
  if (arg.startsWith("--")) return ALL_OPTIONS.has(arg.slice(2).split("=", 1)[0] as string);
  const shorts = new Set([...ALL_OPTIONS.values()].map((spec) => spec.short));
  return [...arg.slice(1)].every((letter) => shorts.has(letter));
}

/** Index of the command name in `args`: the first argument that is not an option or its value. */
function commandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") return -1;
    if (arg === "-" || !arg.startsWith("-")) return i;
    if (TAKES_VALUE.has(arg)) i++;
  }
  return -1;
}

/** An argument safe to repeat in a message (arguments may be secrets pasted in the wrong place). */
const showable = safeToRepeat;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate to `input`, if it is close enough to be a likely typo. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = candidate.startsWith(input) && input.length >= 2 ? 0.5 : distance(input, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

const flagsOf = (options: Readonly<Record<string, OptionSpec>>) =>
  Object.entries(options).flatMap(([name, spec]) => [
    `--${name}`,
    ...(spec.short ? [`-${spec.short}`] : []),
  ]);

const helpHint = (command: CommandSpec | undefined) =>
  command ? `see: openclaw-auth help ${command.name}` : "see: openclaw-auth --help";

/** The usage error for an unknown option `flag` (as typed, without any `=value`). */
function unknownOption(flag: string, command: CommandSpec | undefined): Error {
  const where = command ? ` for '${command.name}'` : "";
  // An unknown option is what the user typed: repeated only when it is plainly a word.
  if (!showable(flag.replace(/^--?/, ""))) {
    return usageError(
      `unknown option${where} (not repeated: it may be a secret; ${helpHint(command)})`,
    );
  }
  const own = flagsOf({ ...GLOBAL_OPTIONS, ...(command?.options ?? {}) });
  const suggestion = closest(flag, own);
  if (suggestion) {
    return usageError(
      `unknown option '${flag}'${where}; did you mean '${suggestion}'? (${helpHint(command)})`,
    );
  }
  const owner = COMMANDS.find((c) => c !== command && flagsOf(c.options).includes(flag));
  if (owner) {
    return usageError(
      `'${flag}' is an option of '${owner.name}', not${command ? ` of '${command.name}'` : " a global option"} (${helpHint(command)})`,
    );
  }
  return usageError(`unknown option '${flag}'${where} (${helpHint(command)})`);
}

/** Turns a parseArgs error into one usage line with a hint. */
function explainParseError(error: unknown, command: CommandSpec | undefined): Error {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  // "Unknown option '--x'", "Option '-d, --data <value>' argument missing": the long name.
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? "";
  const flag =
    quoted
      .replace(/ <value>$/, "")
      .split(", ")
      .pop() ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return unknownOption(flag, command);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) {
      return usageError(`option '${flag}' takes no value (${helpHint(command)})`);
    }
    if (/ambiguous/.test(message)) {
      return usageError(
        `option '${flag}' needs a value; write ${flag}=VALUE for a value that starts with '-' (${helpHint(command)})`,
      );
    }
    return usageError(`option '${flag}' needs a value (${helpHint(command)})`);
  }
  // parseArgs's other messages quote the argument, which may be a secret.
  return usageError(`the command line cannot be parsed (${helpHint(command)})`);
}

function parseWith(
  args: string[],
  options: Readonly<Record<string, OptionSpec>>,
  command: CommandSpec | undefined,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw explainParseError(error, command);
  }
}

/** Parses argv (without the runtime and script); throws a usage CliError on any mistake. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const args = [...argv];
  const at = commandIndex(args);
  const name = at === -1 ? undefined : (args[at] as string);
  const command = name === undefined ? undefined : findCommand(name);
  if (name !== undefined && !command) {
    // `--bse URL token`: the unknown option, not its value taken for a command, is the mistake.
    const unknown = args.slice(0, at).find((arg) => arg.startsWith("-") && !isKnownFlag(arg));
    if (unknown !== undefined) throw unknownOption(unknown.split("=", 1)[0] as string, undefined);
    const names = [...COMMANDS.map((c) => c.name), "help"];
    const suggestion = showable(name) ? closest(name, names) : undefined;
    const shown = showable(name) ? ` '${name}'` : "";
    throw usageError(
      `unknown command${shown}${suggestion ? `; did you mean '${suggestion}'?` : ""} (commands: ${names.join(", ")}; see: openclaw-auth --help)`,
    );
  }

  const parsed = parseWith(args, { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) }, command);
  const positionals: string[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind === "positional" && token.index !== at) positionals.push(token.value);
  }
  const v = parsed.values as Record<string, OptionValue>;
  const globals: GlobalOptions = {
    envFile: v["env-file"] as string | undefined,
    base: v.base as string | undefined,
    dryRun: v["dry-run"] === true,
    json: v.json === true,
    quiet: v.quiet === true,
    verbose: v.verbose === true,
    help: v.help === true,
    version: v.version === true,
  };
  const values: Record<string, OptionValue> = {};
  for (const option of Object.keys(command?.options ?? {})) values[option] = v[option];

  if (!command && positionals.length > 0) {
    throw usageError("arguments after '--' need a command first (see: openclaw-auth --help)");
  }
  if (command && !globals.help) checkArity(command, positionals);
  return { command, values, positionals, globals };
}

function checkArity(command: CommandSpec, positionals: readonly string[]): void {
  const { min, max, names } = command.args;
  if (positionals.length > max) {
    const extra = positionals[max] as string;
    const shown = showable(extra) ? ` '${extra}'` : "";
    const takes =
      max === 0 ? "takes no arguments" : `takes ${max === min ? "" : "at most "}${names.join(" ")}`;
    throw usageError(
      `unexpected argument${shown}: '${command.name}' ${takes} (see: openclaw-auth help ${command.name})`,
    );
  }
  if (positionals.length < min) {
    const missing = names.slice(positionals.length).join(" ");
    const looksLikeUrl = (positionals[0] ?? "").includes("/");
    const hint =
      command.name === "request" && looksLikeUrl
        ? "; the method comes first, e.g. openclaw-auth request GET /echo"
        : `; e.g. ${command.examples[0]}`;
    throw usageError(`'${command.name}' needs ${missing}${hint}`);
  }
}
