/**
 * Where the CLI writes and how it ends: results on stdout, everything else on stderr as one
 * line per message, secrets redacted, colour only on a terminal without NO_COLOR, and the exit
 * codes. Only `token`'s token and a response body (data) go to stdout as they are; every other
 * text, on stdout as on stderr, is redacted and has its controls escaped. Writes go through Bun.write, in order: `process.stdout` would cost ~25 ms of start-up
 * (it builds a Node stream); cli.ts awaits {@link flushOutput} before the process ends.
 */
import { fstatSync } from "node:fs";
import { oneLine, textBlock } from "./display.ts";

/** The CLI's exit codes. */
export const ExitCode = {
  Ok: 0,
  /** The API answered with a non-2xx status (its body is still on stdout). */
  RequestFailed: 1,
  /** A bad command line, a bad configuration, or a URL the token may not go to. */
  Usage: 2,
  /** The gateway refused the token request (`AUTH_SESSION_ERROR`). */
  Auth: 3,
  /** No answer: the token request or the API request failed on the network. */
  Network: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const PROGRAM = "openclaw-auth";

/** An error of the CLI itself, with the code it prints and the exit code it ends with. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, exitCode: ExitCode) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad command line: exit code 2, code `USAGE_ERROR`. */
export const usageError = (message: string) => new CliError("USAGE_ERROR", message, ExitCode.Usage);

/** Strings that must never reach stderr or stdout (outside `token`): the client key, tokens. */
const secrets = new Set<string>();

/** Registers a secret: every later stderr line has it, in every form, replaced by `[redacted]`. */
export function addSecret(value: string | undefined): void {
  // Very short values would redact ordinary words; real keys and tokens are long.
  if (value && value.length >= 4) secrets.add(value);
}

let redactSecrets: ((text: string, secrets: readonly string[]) => string) | undefined;

/**
 * `text` without any registered secret, raw, JSON-escaped, percent-encoded or base64'd: core's
 * redactSecrets, loaded on first need, as `./adapter` brings the runtime (~40 ms of start-up)
 * that `help` and `--version` do not otherwise load.
 */
export async function redact(text: string): Promise<string> {
  if (secrets.size === 0) return text;
  redactSecrets ??= (await import("@openclaw/auth-runtime/adapter")).redactSecrets;
  return redactSecrets(text, [...secrets]);
}

/**
 * True for an argument that may be repeated in a message: a short lowercase word, as command
 * and option names are. Keys and tokens carry digits or capitals, and an argument in the wrong
 * place may be one (`openclaw-auth <key>`), so anything else is described, not repeated.
 */
export const safeToRepeat = (text: string) => /^[a-z][a-z-]{0,19}$/.test(text);

let quiet = false;
/** `--quiet`: no notes and no warnings on stderr; errors are still printed. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/** stdout (1) or stderr (2). */
export type Fd = 1 | 2;

const terminal = new Map<Fd, boolean>();
/**
 * True when `fd` is a character device: a terminal (or /dev/null, where colour is harmless).
 * node:tty's isatty would load Node's stream stack, ~20 ms of start-up.
 */
export function isTerminal(fd: Fd | 0): boolean {
  if (fd === 0) return safeIsCharDevice(0);
  let known = terminal.get(fd);
  if (known === undefined) {
    known = safeIsCharDevice(fd);
    terminal.set(fd, known);
  }
  return known;
}

function safeIsCharDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}

/** Colour only on a terminal, never with NO_COLOR (any non-empty value) or TERM=dumb. */
export function useColor(fd: Fd): boolean {
  const env = process.env;
  if (env.NO_COLOR || env.TERM === "dumb") return false;
  return isTerminal(fd);
}

const SGR = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Color = keyof typeof SGR;

export function paint(fd: Fd, color: Color, text: string): string {
  return useColor(fd) ? `\x1b[${SGR[color]}m${text}\x1b[0m` : text;
}

/** Every write, in order; a closed pipe (EPIPE) ends nothing but the writing. */
let queue: Promise<unknown> = Promise.resolve();

/** Queues what `produce` makes (on stderr: once redaction is loaded); "" writes nothing. */
function enqueue(fd: Fd, produce: () => string | Promise<string>): void {
  const target = fd === 1 ? Bun.stdout : Bun.stderr;
  queue = queue
    .then(async () => {
      let out: string;
      try {
        out = await produce();
      } catch {
        // Redaction could not be loaded (a broken install): the text may hold a secret.
        out = `${PROGRAM}: a message was withheld: the redaction of secrets cannot be loaded\n`;
      }
      if (out !== "") await Bun.write(target, out);
    })
    .catch(() => {});
}

/** Resolves once everything written so far has been handed to the OS. */
export function flushOutput(): Promise<unknown> {
  return queue;
}

/** stdout as it is: only for a token and for data (writeData), never for text about anything. */
function writeRaw(text: string): void {
  if (text !== "") enqueue(1, () => text);
}

/** `token`'s result on stdout, exactly: the token is what it prints (plain, or in its JSON). */
export function writeToken(text: string): void {
  writeRaw(text);
}

/**
 * `--json`'s result: one line of JSON on stdout, its secrets redacted in the encoded text too (a
 * JSON-escaped echo of a secret is a form redaction knows only once encoded). Not for `token`,
 * whose token is its result.
 */
export function writeJson(value: unknown): void {
  enqueue(1, async () => `${await redact(JSON.stringify(value))}\n`);
}

/**
 * Data on stdout (a response body): as it came into a pipe or a file, where it is data; on a
 * terminal with its control characters escaped (display.ts), where it would be obeyed.
 */
export function writeData(text: string, terminal = isTerminal(1)): void {
  writeRaw(terminal ? textBlock(text) : text);
}

/**
 * A piece of stderr text: text from anywhere, or such text in one of our colours. Each piece
 * has its control characters escaped and its secrets redacted before it is painted, so the
 * only escape sequences on stderr are the colours the CLI itself adds (and a redaction never
 * cuts into one).
 */
export type Span = string | readonly [Color, string];

/**
 * `text` redacted, made safe by `shape` (one line, or a block with its lines), redacted again.
 * First as it came: a secret may itself hold a line break or a control (a PEM key), which
 * `shape` would change into a form redaction does not know.
 */
const safeText = async (text: string, shape: (text: string) => string) =>
  redact(shape(await redact(text)));

/** `text` as one line, redacted, its controls escaped: a line of a report (`doctor`). */
export const safeLine = (text: string) => safeText(text, oneLine);

/** `spans` made safe by `shape`, redacted, painted for `fd`. */
async function render(
  fd: Fd,
  spans: readonly Span[],
  shape: (text: string) => string,
): Promise<string> {
  let out = "";
  for (const span of spans) {
    const [color, text] = typeof span === "string" ? [undefined, span] : span;
    const safe = await safeText(text, shape);
    out += color ? paint(fd, color, safe) : safe;
  }
  return out;
}

/**
 * One line of a command's result on stdout (a report row, a path, a URL): each span one line,
 * its controls escaped and its secrets redacted, as on stderr. A path may hold the key
 * (`AUTH_CACHE_DIR=/tmp/<key>`) or a control a terminal would obey.
 */
export function writeLine(...spans: Span[]): void {
  enqueue(1, async () => `${await render(1, spans, oneLine)}\n`);
}

/** A block of the CLI's own text on stdout (help, a completion script), kept safe as writeLine. */
export function writeBlock(text: string): void {
  if (text !== "") enqueue(1, () => render(1, [text], textBlock));
}

/**
 * Text on stderr with its lines (help on a usage error, `--include` headers, debug lines):
 * controls but line feeds and tabs escaped, secrets redacted.
 */
export function writeErr(...spans: Span[]): void {
  enqueue(2, () => render(2, spans, textBlock));
}

/** One message line on stderr: line breaks become spaces, other controls escaped, redacted. */
function writeErrLine(...spans: Span[]): void {
  enqueue(2, async () => `${await render(2, spans, oneLine)}\n`);
}

let json = false;
/**
 * `--json`: each stderr message is one line of JSON, `{"error":{"code","message"}}` (or
 * `"warning"`, `"note"` with a message), so that a script can parse stderr as it parses stdout.
 */
export function setJsonMessages(value: boolean): void {
  json = value;
}

/** True when `argv` asks for JSON (`--json` before any `--`), known before it is parsed. */
export const wantsJson = (argv: readonly string[]) => {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
};

/**
 * One JSON line on stderr, each field the text a plain message would show (one line, controls
 * escaped). Redacted before encoding, where a secret is in the form it came in, and after: a
 * JSON-escaped echo of a secret would be escaped twice by the encoding, a form redaction does
 * not look for, and a parser would undo one of the two.
 */
function writeErrJson(kind: "error" | "warning" | "note", fields: Record<string, string>): void {
  enqueue(2, async () => {
    const safe: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) safe[name] = await safeText(value, oneLine);
    return `${await redact(JSON.stringify({ [kind]: safe }))}\n`;
  });
}

/** An informational line on stderr (hidden by --quiet). */
export function note(message: string): void {
  if (quiet) return;
  if (json) writeErrJson("note", { message });
  else writeErrLine(`${PROGRAM}: `, message);
}

/** A warning line on stderr (hidden by --quiet). */
export function warn(message: string): void {
  if (quiet) return;
  if (json) writeErrJson("warning", { message });
  else writeErrLine(`${PROGRAM}: `, ["yellow", "warning"], ": ", message);
}

/**
 * An error on stderr: `openclaw-auth: CODE: message`, with `--json` the line
 * `{"error":{"code":"CODE","message":"…"}}`. Always printed.
 */
export function printError(code: string, message: string): void {
  if (json) writeErrJson("error", { code, message });
  else writeErrLine(`${PROGRAM}: `, ["red", code], ": ", message);
}

/** Exit codes of the runtime's errors by their `code` (see @openclaw/auth-runtime ErrorCode). */
const RUNTIME_EXIT_CODES: Readonly<Record<string, ExitCode>> = {
  CONFIG_ERROR: ExitCode.Usage,
  AUTH_SESSION_ERROR: ExitCode.Auth,
  AUTH_NETWORK_ERROR: ExitCode.Network,
  // Sent and got no answer (network, timeout, abort), an answer too large, a refused redirect.
  API_ERROR: ExitCode.Network,
};

/** Where an error's `reason` decides otherwise: a URL the token may not go to is the user's doing. */
const REASON_EXIT_CODES: Readonly<Record<string, ExitCode>> = {
  "API_ERROR refused": ExitCode.Usage,
};

/** The exit code of a runtime error, by its `code` and `reason`; undefined for any other error. */
export function runtimeExitCode(error: unknown): ExitCode | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, reason } = error as { code?: unknown; reason?: unknown };
  if (typeof code !== "string" || !Object.hasOwn(RUNTIME_EXIT_CODES, code)) return undefined;
  return REASON_EXIT_CODES[`${code} ${String(reason)}`] ?? RUNTIME_EXIT_CODES[code];
}

/**
 * Prints `error` as one line and returns its exit code. Runtime errors are recognised by their
 * `code` and `reason` (no import of the runtime needed, and no message is read); anything else
 * is unexpected and exits 1.
 */
export function reportError(error: unknown): ExitCode {
  if (error instanceof CliError) {
    printError(error.code, error.message);
    return error.exitCode;
  }
  const exitCode = runtimeExitCode(error);
  if (exitCode !== undefined) {
    printError((error as { code: string }).code, (error as Error).message);
    return exitCode;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  printError("INTERNAL_ERROR", message);
  return ExitCode.RequestFailed;
}
