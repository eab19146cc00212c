/**
 * `completion <bash|zsh|fish>`: a completion script for openclaw-auth's commands and options,
 * generated from the CLI's own spec (spec.ts), so a new command or option completes without a
 * second list to keep in step.
 */
import type { CommandLine } from "../args.ts";
import { ExitCode, safeToRepeat, usageError, writeBlock } from "../output.ts";
import {
  COMMANDS,
  type CommandSpec,
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  HELP_COMMAND,
  type OptionSpec,
} from "../spec.ts";

type Options = Readonly<Record<string, OptionSpec>>;

const ALL_COMMANDS: readonly CommandSpec[] = [...COMMANDS, HELP_COMMAND];
const SHELLS = ["bash", "zsh", "fish"] as const;
/** Options whose value is a file name (the shell completes paths for them). */
const FILE_VALUED = new Set(["env-file"]);

const spellings = (options: Options) =>
  Object.entries(options).flatMap(([name, spec]) => [
    `--${name}`,
    ...(spec.short ? [`-${spec.short}`] : []),
  ]);

const valued = (options: Options) =>
  spellings(
    Object.fromEntries(Object.entries(options).filter(([, spec]) => spec.type === "string")),
  );

/** Every option of any command (a value-taking flag is skipped the same way wherever it is). */
const EVERY_OPTION: Options = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options));

/**
 * bash's file names for an option's value, each quoted as the shell reads it back: compgen
 * prints bare names, one a line, and COMPREPLY=($(compgen -f)) would split "my file.env" in
 * two and insert "a;b.env" as a command separator. The word typed so far is unquoted first
 * (backslashes, or an opening quote), as compgen does not; the names are read a line at a time
 * (no splitting on spaces, no globbing; bash and zsh alike), each quoted with printf %q but for
 * a leading ~, which must stay bare to be expanded; a directory gets its slash and no space
 * after it.
 */
const BASH_FILES = `_openclaw_auth_files() {
  local word="" c i f q
  case $cur in
    \\'*) word=\${cur#\\'}; word=\${word%\\'} ;;
    \\"*) word=\${cur#\\"}; word=\${word%\\"} ;;
    *) for ((i = 0; i < \${#cur}; i++)); do
         c=\${cur:i:1}
         [[ $c == \\\\ ]] && { ((i++)); c=\${cur:i:1}; }
         word+=$c
       done ;;
  esac
  while IFS= read -r f; do
    if [[ $f == \\~?* ]]; then printf -v q '%q' "\${f#\\~}"; q="~$q"; else printf -v q '%q' "$f"; fi
    [[ -d \${f/#\\~\\//$HOME/} ]] && { q+=/; compopt -o nospace 2>/dev/null; }
    COMPREPLY+=("$q")
  done < <(compgen -f -- "$word")
}`;

/** The bash script: `complete -F` over a function that finds the command, then completes. */
export function bashScript(): string {
  const cases = ALL_COMMANDS.map((command) => {
    const own = spellings(command.options).join(" ");
    if (command.name === "help") {
      return `    help) COMPREPLY=($(compgen -W "${COMMANDS.map((c) => c.name).join(" ")}" -- "$cur")); return ;;`;
    }
    if (command.name === "completion") {
      return `    completion) [[ $cur == -* ]] || { COMPREPLY=($(compgen -W "${SHELLS.join(" ")}" -- "$cur")); return; } ;;`;
    }
    return own ? `    ${command.name}) opts="$opts ${own}" ;;` : `    ${command.name}) ;;`;
  });
  const fileValued = [...FILE_VALUED].map((name) => `--${name}`).join("|");
  const otherValued = valued(EVERY_OPTION)
    .filter((flag) => !FILE_VALUED.has(flag.replace(/^--/, "")))
    .join("|");
  return `# openclaw-auth completion for bash: source <(openclaw-auth completion bash)
${BASH_FILES}
_openclaw_auth() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  COMPREPLY=()
  case "$prev" in
    ${fileValued}) _openclaw_auth_files; return ;;
    ${otherValued}) return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${valued(EVERY_OPTION).join("|")}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  local opts="${spellings(GLOBAL_OPTIONS).join(" ")}"
  case "$cmd" in
    "") [[ $cur == -* ]] || { COMPREPLY=($(compgen -W "${ALL_COMMANDS.map((c) => c.name).join(" ")}" -- "$cur")); return; } ;;
${cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _openclaw_auth openclaw-auth
`;
}

/** zsh runs the bash script through bashcompinit (one script, the same behaviour). */
export function zshScript(): string {
  return `# openclaw-auth completion for zsh: source <(openclaw-auth completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript().split("\n").slice(1).join("\n")}`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The help text of option `name` in `help` rows (`-d, --data JSON` → its description). */
function describe(help: readonly (readonly [string, string])[], name: string): string {
  const row = help.find(([left]) => left.split(/[ ,]+/).includes(`--${name}`));
  return row ? row[1] : "";
}

function fishOption(name: string, spec: OptionSpec, help: string, condition: string): string {
  const parts = ["complete -c openclaw-auth"];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  parts.push(`-l ${name}`);
  if (spec.short) parts.push(`-s ${spec.short}`);
  if (spec.type === "string") parts.push(FILE_VALUED.has(name) ? "-r -F" : "-r");
  if (help) parts.push(`-d ${fishQuote(help)}`);
  return parts.join(" ");
}

/** The fish script: one `complete` line per command and option. */
export function fishScript(): string {
  const lines = [
    "# openclaw-auth completion for fish: openclaw-auth completion fish | source",
    "complete -c openclaw-auth -f",
  ];
  for (const command of ALL_COMMANDS) {
    lines.push(
      `complete -c openclaw-auth -n __fish_use_subcommand -a ${command.name} -d ${fishQuote(command.summary)}`,
    );
  }
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    lines.push(fishOption(name, spec, describe(GLOBAL_HELP, name), ""));
  }
  for (const command of COMMANDS) {
    const seen = `__fish_seen_subcommand_from ${command.name}`;
    for (const [name, spec] of Object.entries(command.options)) {
      lines.push(fishOption(name, spec, describe(command.optionHelp, name), seen));
    }
  }
  lines.push(
    `complete -c openclaw-auth -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(" ")}'`,
    `complete -c openclaw-auth -n '__fish_seen_subcommand_from help' -a '${COMMANDS.map((c) => c.name).join(" ")}'`,
  );
  return `${lines.join("\n")}\n`;
}

const SCRIPTS: Readonly<Record<(typeof SHELLS)[number], () => string>> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
};

export async function run(cli: CommandLine): Promise<number> {
  const shell = cli.positionals[0] as string;
  if (!Object.hasOwn(SCRIPTS, shell)) {
    const shown = safeToRepeat(shell) ? ` '${shell}'` : "";
    throw usageError(`no completion for the shell${shown}: use one of ${SHELLS.join(", ")}`);
  }
  writeBlock(SCRIPTS[shell as keyof typeof SCRIPTS]());
  return ExitCode.Ok;
}
