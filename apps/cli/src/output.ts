/**
 * Where the CLI writes and how it ends: results on stdout, everything else on stderr as one
 * line per message, secrets redacted, colour only on a terminal without NO_COLOR, and the exit
 * codes. Writes go through Bun.write, in order: `process.stdout` would cost ~25 ms of start-up
 * (it builds a Node stream); cli.ts awaits {@link flushOutput} before the process ends.
 */
import { fstatSync } from "node:fs";
import { redactSecrets } from "./redact.ts";

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

/** `text` without any registered secret, raw, JSON-escaped, percent-encoded or base64'd. */
export function redact(text: string): string {
  return secrets.size === 0 ? text : redactSecrets(text, secrets);
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

function enqueue(fd: Fd, text: string): void {
  if (text === "") return;
  const target = fd === 1 ? Bun.stdout : Bun.stderr;
  queue = queue.then(() => Bun.write(target, text)).catch(() => {});
}

/** Resolves once everything written so far has been handed to the OS. */
export function flushOutput(): Promise<unknown> {
  return queue;
}

/** The result of a command: stdout, as it is. */
export function writeOut(text: string): void {
  enqueue(1, text);
}

/** Text on stderr as it is, secrets redacted (e.g. help on a usage error, `--include` headers). */
export function writeErr(text: string): void {
  enqueue(2, redact(text));
}

function writeErrLine(line: string): void {
  enqueue(2, `${redact(line).replace(/[\r\n]+/g, " ")}\n`);
}

/** An informational line on stderr (hidden by --quiet). */
export function note(message: string): void {
  if (!quiet) writeErrLine(`${PROGRAM}: ${message}`);
}

/** A warning line on stderr (hidden by --quiet). */
export function warn(message: string): void {
  if (!quiet) writeErrLine(`${PROGRAM}: ${paint(2, "yellow", "warning")}: ${message}`);
}

/** An error line on stderr: `openclaw-auth: CODE: message`. Always printed. */
export function printError(code: string, message: string): void {
  writeErrLine(`${PROGRAM}: ${paint(2, "red", code)}: ${message}`);
}

/** Codes of the runtime's error classes (see @openclaw/auth-runtime ErrorCode). */
const RUNTIME_EXIT_CODES: Readonly<Record<string, ExitCode>> = {
  CONFIG_ERROR: ExitCode.Usage,
  AUTH_SESSION_ERROR: ExitCode.Auth,
  AUTH_NETWORK_ERROR: ExitCode.Network,
  // An ApiError that reaches here was raised while sending: the request got no answer.
  // A URL the token may not go to is checked before sending and is a usage error (request.ts).
  API_ERROR: ExitCode.Network,
};

/**
 * Prints `error` as one line and returns its exit code. Runtime errors are recognised by their
 * `code` (no import of the runtime needed); anything else is unexpected and exits 1.
 */
export function reportError(error: unknown): ExitCode {
  if (error instanceof CliError) {
    printError(error.code, error.message);
    return error.exitCode;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === "string" && code in RUNTIME_EXIT_CODES) {
    printError(code, error.message);
    return RUNTIME_EXIT_CODES[code] as ExitCode;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  printError("INTERNAL_ERROR", message);
  return ExitCode.RequestFailed;
}
