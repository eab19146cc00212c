/** Keeps secrets out of text that may reach an error message or a log line. */

const REDACTED = "[redacted]";

/** `text` with every occurrence of each non-empty secret replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A short, single-line excerpt of a response body for an error message, secrets removed. */
export function bodyExcerpt(
  body: string,
  secrets: readonly (string | undefined)[],
  max = 200,
): string {
  const line = redactSecrets(body, secrets).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
