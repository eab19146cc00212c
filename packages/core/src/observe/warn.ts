/**
 * The default warning sink of the runtime and its stores. Apart from the events and the debug
 * lines (debug-log.ts), so that a store that warns loads neither.
 */
import { redactKnown } from "../errors/redact.ts";

/** `openclaw-auth: <message>` on stderr, without any secret this process knows. */
export function warnOnStderr(message: string): void {
  console.warn(`openclaw-auth: ${redactKnown(message)}`);
}
