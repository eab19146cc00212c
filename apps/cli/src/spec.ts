/** The command line, as data: commands, their options and arguments, and every help text. */

/** An option as `node:util` parseArgs takes it. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** What follows the command name in the usage line. */
  readonly usage: string;
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** `[flag with its value, what it does]`, in help order. */
  readonly optionHelp: readonly (readonly [string, string])[];
  /** Positional arguments: how many, and what they are called in messages. */
  readonly args: { readonly min: number; readonly max: number; readonly names: readonly string[] };
  readonly examples: readonly string[];
}

export const GLOBAL_OPTIONS = {
  "env-file": { type: "string" },
  base: { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const satisfies Record<string, OptionSpec>;

export const GLOBAL_HELP: readonly (readonly [string, string])[] = [
  ["--env-file PATH", "read variables the environment does not set from PATH (default ./.env)"],
  ["--base URL", "gateway base URL; overrides AUTH_BASE"],
  ["--dry-run", "no network, no cache: show what would be done"],
  ["--json", 'one JSON object on stdout; errors as {"error":{"code","message"}} on stderr'],
  ["-q, --quiet", "no notes or warnings on stderr (errors are still printed)"],
  ["--verbose", "what the runtime did, one line per event on stderr (as AUTH_DEBUG=1)"],
  ["-h, --help", "help (also: openclaw-auth help <command>)"],
  ["-V, --version", "the version"],
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "token",
    summary: "print the access token (from the cache or the gateway)",
    usage: "token [--refresh] [--json]",
    description:
      "Prints the access token to stdout: from the shared cache file while it is fresh, else a new\n" +
      "one from the gateway (one request for all processes that ask at once). This is the only\n" +
      "command that prints a token.",
    options: { refresh: { type: "boolean" } },
    optionHelp: [
      [
        "--refresh",
        "skip the caches and ask the gateway for a new token (fails, exit 3 or 4, when none comes)",
      ],
      ["--json", 'print {"token","expiresAt","expiresIn","source"} (expiresIn: seconds left)'],
    ],
    args: { min: 0, max: 0, names: [] },
    examples: [
      "TOKEN=$(openclaw-auth token)",
      "openclaw-auth token --json | jq .expiresIn",
      "openclaw-auth token --refresh >/dev/null",
    ],
  },
  {
    name: "request",
    summary: "call the gateway with the token; refreshes and retries once on an auth failure",
    usage: "request <METHOD> <URL or /path> [--data JSON|@file|-] [--header 'K: V']... [--include]",
    description:
      "Sends an API request with the token and prints the response body to stdout. A path resolves\n" +
      "against AUTH_BASE; an absolute URL must be on AUTH_BASE's origin or in AUTH_ALLOWED_ORIGINS.\n" +
      "On 401/403 (or a 'token expired' body) the token is refreshed and the request sent once more.\n" +
      "Exit code 0 on 2xx, 1 on any other status.",
    options: {
      data: { type: "string", short: "d" },
      header: { type: "string", short: "H", multiple: true },
      include: { type: "boolean", short: "i" },
    },
    optionHelp: [
      ["-d, --data JSON", "request body: inline JSON, sent as application/json"],
      ["-d, --data @FILE", "the file's content (JSON if it parses as JSON, else raw bytes)"],
      ["-d, --data -", "read the body from stdin (JSON if it parses as JSON, else raw bytes)"],
      ["-H, --header 'K: V'", "a request header; repeat for more"],
      ["-i, --include", "print the status line and response headers to stderr"],
      ["--json", 'print {"status","headers","body"} (and "json": the parsed body, when JSON)'],
    ],
    args: { min: 2, max: 2, names: ["METHOD", "URL"] },
    examples: [
      `openclaw-auth request POST /ecom/tasks/scrape --data '{"url": "https://detail.1688.com/offer/610947572360.html"}'`,
      "openclaw-auth request GET /echo --header 'X-Trace: 1' --include",
      "openclaw-auth request POST /ecom/tasks/scrape --data @body.json",
      'echo \'{"url": "…"}\' | openclaw-auth request POST /ecom/tasks/scrape --data -',
    ],
  },
  {
    name: "status",
    summary: "show this config's cache entry: path, expires in, valid or not (never the token)",
    usage: "status [--json]",
    description:
      "Shows the cache file for this AUTH_BASE and CLIENT_KEY and the state of its token: valid\n" +
      "(served as it is), expiring (refreshed on next use), expired, missing, invalid (not a cache\n" +
      "file) or refused (a symlink or another user's). Never prints the token or the client key.",
    options: {},
    optionHelp: [
      [
        "--json",
        'print {"path","state","valid","expiresAt","expiresIn","authBase","cacheDir","minTtlSec"}',
      ],
    ],
    args: { min: 0, max: 0, names: [] },
    examples: ["openclaw-auth status", "openclaw-auth status --json | jq .valid"],
  },
  {
    name: "clear",
    summary: "remove this config's cached token",
    usage: "clear [--json]",
    description:
      "Removes the cache file of this AUTH_BASE and CLIENT_KEY; the next `token` or `request` asks\n" +
      "the gateway for a new token. Other configs' files are left alone.",
    options: {},
    optionHelp: [["--json", 'print {"cacheDir","removed"} (the names of the files removed)']],
    args: { min: 0, max: 0, names: [] },
    examples: ["openclaw-auth clear", "openclaw-auth clear --dry-run"],
  },
  {
    name: "doctor",
    summary: "check the config, the cache dir and whether the gateway answers",
    usage: "doctor [--json]",
    description:
      "One line per check, each ok, warn or fail: the config (and where CLIENT_KEY comes from), the\n" +
      "cache dir (exists, private, yours, not a symlink) and the key (a real token request to\n" +
      "AUTH_BASE + AUTH_SESSION_PATH; the token is neither printed nor cached). Exit code 0 unless a\n" +
      "check fails: 2 for the config or cache dir, 3 when the gateway refuses the key (or the\n" +
      "path), 4 when it does not answer. Never prints the token or the client key.",
    options: {},
    optionHelp: [["--json", 'print {"ok","exitCode","checks":[{"check","level","message"}, …]}']],
    args: { min: 0, max: 0, names: [] },
    examples: ["openclaw-auth doctor", "openclaw-auth --base http://127.0.0.1:8787 doctor"],
  },
  {
    name: "dev-gateway",
    summary: "run the local dev gateway in the foreground (for trying things out)",
    usage:
      "dev-gateway [--port N] [--host H] [--ttl S] [--client-key K]... [--session-path P] [--admin]",
    description:
      "Runs the dev gateway (on 127.0.0.1 unless --host) until SIGINT or SIGTERM. Prints one line\n" +
      'to stdout, "dev gateway listening on <url>". It accepts the client key dev-client-key unless\n' +
      "--client-key says otherwise (the keys are never printed).",
    options: {
      port: { type: "string" },
      host: { type: "string" },
      ttl: { type: "string" },
      "client-key": { type: "string", multiple: true },
      "session-path": { type: "string" },
      admin: { type: "boolean" },
    },
    optionHelp: [
      ["--port N", "TCP port (default 0: a free port)"],
      ["--host H", "address to bind (default 127.0.0.1)"],
      ["--ttl S", "token lifetime in seconds (default 900)"],
      ["--client-key K", "accepted client key; repeat for several (default dev-client-key)"],
      ["--session-path P", "token endpoint path (default /auth/session)"],
      ["--admin", "serve the admin API under /__admin/ (stats, faults, revoke, stop)"],
    ],
    args: { min: 0, max: 0, names: [] },
    examples: [
      "openclaw-auth dev-gateway --port 8787 --ttl 60",
      "AUTH_BASE=http://127.0.0.1:8787 CLIENT_KEY=dev-client-key openclaw-auth token",
    ],
  },
  {
    name: "skill",
    summary: "install the openclaw-gateway OpenClaw skill into a workspace",
    usage: "skill install [--workspace DIR] [--force]",
    description:
      "Writes the openclaw-gateway skill (SKILL.md: when and how an agent calls the gateway through\n" +
      "openclaw-auth) to <DIR>/skills/openclaw-gateway/, where OpenClaw loads workspace skills, and\n" +
      "prints that dir. Files already there with the same content are left alone; a file that differs\n" +
      "stops the install (SKILL_CONFLICT, exit 2, naming it) before anything is written, unless --force.",
    options: { workspace: { type: "string" }, force: { type: "boolean" } },
    optionHelp: [
      ["--workspace DIR", "the OpenClaw workspace (default: the current dir)"],
      ["--force", "replace files that differ from this version's skill"],
    ],
    args: { min: 1, max: 1, names: ["ACTION"] },
    examples: [
      "openclaw-auth skill install",
      "openclaw-auth skill install --workspace ~/.openclaw/workspace",
    ],
  },
  {
    name: "completion",
    summary: "print a shell completion script (bash, zsh or fish)",
    usage: "completion <bash|zsh|fish>",
    description:
      "Prints a script that completes openclaw-auth's commands and options in that shell. Load it\n" +
      "from the shell's startup file, as in the examples.",
    options: {},
    optionHelp: [],
    args: { min: 1, max: 1, names: ["SHELL"] },
    examples: [
      "source <(openclaw-auth completion bash)    # in ~/.bashrc",
      "source <(openclaw-auth completion zsh)     # in ~/.zshrc",
      "openclaw-auth completion fish > ~/.config/fish/completions/openclaw-auth.fish",
    ],
  },
];

export const HELP_COMMAND: CommandSpec = {
  name: "help",
  summary: "help for a command",
  usage: "help [command]",
  description: "Shows the help of a command, or the list of commands.",
  options: {},
  optionHelp: [],
  args: { min: 0, max: 1, names: ["command"] },
  examples: ["openclaw-auth help request"],
};

export function findCommand(name: string): CommandSpec | undefined {
  if (name === HELP_COMMAND.name) return HELP_COMMAND;
  return COMMANDS.find((command) => command.name === name);
}

const columns = (rows: readonly (readonly [string, string])[]) => {
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join("\n");
};

export function mainHelp(): string {
  return `Usage: openclaw-auth <command> [options]

Trades CLIENT_KEY for a short-lived gateway token, keeps it cached, and calls the gateway with it.
Configuration comes from the environment, then ./.env (or --env-file): AUTH_BASE, CLIENT_KEY,
AUTH_CACHE_DIR, AUTH_MIN_TTL_SEC, AUTH_MAX_TTL_SEC, AUTH_SESSION_PATH, AUTH_TIMEOUT_MS,
AUTH_ALLOWED_ORIGINS, AUTH_REDIS_URL (and the OAuth ones: see docs/configuration.md).

Commands:
${columns([...COMMANDS, HELP_COMMAND].map((c) => [c.name, c.summary]))}

Global options:
${columns(GLOBAL_HELP)}

Exit codes: 0 ok, 1 request failed (non-2xx), 2 usage or config error, 3 auth error, 4 network error.

Examples:
  TOKEN=$(openclaw-auth token)
  openclaw-auth request POST /ecom/tasks/scrape --data '{"url": "https://detail.1688.com/offer/610947572360.html"}'
  openclaw-auth help request
`;
}

export function commandHelp(spec: CommandSpec): string {
  const options = spec.optionHelp.length ? `\nOptions:\n${columns(spec.optionHelp)}\n` : "";
  return `Usage: openclaw-auth ${spec.usage}

${spec.description}
${options}
Global options:
${columns(GLOBAL_HELP)}

Examples:
${spec.examples.map((example) => `  ${example}`).join("\n")}
`;
}
