/**
 * The debug lines of `AUTH_DEBUG=1` (and the CLI's `--verbose`): one line per event, stable and
 * greppable, `openclaw-auth: <type> key=value …` in the event's field order.
 */
import { BOOLEAN_RULE, booleanFromText } from "../config/rules.ts";
import { ConfigError } from "../errors/errors.ts";
import { redactKnown } from "../errors/redact.ts";
import { type AuthEvent, subscribe } from "./events.ts";

/** A value as it appears after `key=`: bare when it is one plain word, JSON-quoted otherwise. */
function formatValue(value: unknown): string {
  if (typeof value === "number") return String(Math.round(value * 1000) / 1000);
  const text = String(value);
  return /^[\w.:/@-]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * The debug line of `event`, without a line break, without any secret this process knows
 * (redact.ts `redactKnown`): an event's text (a warning's message) may quote a path or an error.
 *
 * @example
 * formatEventLine({ type: "token.acquired", source: "network", ms: 83.4, attempts: 1 });
 * // "openclaw-auth: token.acquired source=network ms=83.4 attempts=1"
 */
export function formatEventLine(event: AuthEvent): string {
  let line = `openclaw-auth: ${event.type}`;
  for (const [key, value] of Object.entries(event)) {
    if (key === "type" || value === undefined) continue;
    line += ` ${key}=${formatValue(value)}`;
  }
  return redactKnown(line);
}

let debugLinesOn = false;

/**
 * Prints every event of the process as a debug line on stderr, once per process however many
 * runtimes ask (`AUTH_DEBUG=1` is read by each runtime on first use).
 */
export function enableDebugLines(write: (line: string) => void = console.error): void {
  if (debugLinesOn) return;
  debugLinesOn = true;
  subscribe((event) => write(formatEventLine(event)));
}

/**
 * Whether the value of `AUTH_DEBUG` turns the debug lines on: by the configuration's one rule
 * for booleans (cache.ts's booleanFromText: `1`, `true`, `yes`, `on`, or `0`, `false`, `no`,
 * `off`, any case); unset or blank is off. Any other text is a ConfigError naming the variable
 * and the spellings (never the value), as the config read from that environment would say.
 */
export function isDebugValue(value: string | undefined): boolean {
  if (!value?.trim()) return false;
  const on = booleanFromText(value);
  if (on === undefined) throw new ConfigError(`AUTH_DEBUG ${BOOLEAN_RULE}`);
  return on;
}
