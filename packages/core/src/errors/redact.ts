/** Keeps secrets out of text that may reach an error message or a log line, in every form an echo can take. */
import { pemBodyOf, redactPemBody } from "./redact-pem.ts";

const REDACTED = "[redacted]";

/**
 * Shorter secrets are not redacted: replacing every "ab" would garble messages and a real key
 * or token is far longer.
 */
const MIN_SECRET_LENGTH = 3;

/**
 * A base64 core shorter than this is not redacted: the cores of a short secret at an unknown
 * offset are a few characters that ordinary base64 text contains by chance.
 */
const MIN_BASE64_CORE = 8;

/**
 * The forms of a secret: `text` (raw, escaped, encoded) matched in any letter case, as one
 * search; `encoded` (base64, case-sensitive by nature) matched as they are, longest first.
 */
interface Forms {
  readonly text: RegExp;
  readonly encoded: readonly string[];
  /** The secret with any of its characters as a JSON `\uXXXX` escape (see escapedForm). */
  readonly escaped: RegExp;
}

/** Forms per secret, computed once: redaction runs on every error path with the same few secrets. */
const formsCache = new Map<string, Forms>();
/** Tokens rotate; a long-lived process must not keep every one it ever saw. */
const FORMS_CACHE_LIMIT = 64;

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`: the secret as it is,
 * JSON-escaped, percent- and form-encoded, in any letter case (a URL's host is lowercased, a
 * gateway may upper-case what it echoes, percent-encoding's hex digits come in either case), and
 * base64/base64url-encoded at any byte offset inside a longer encoded text (e.g.
 * `Basic base64(id:secret)`), where case is part of the encoding. A secret that is a PEM key also
 * loses its key material in any other layout: its base64 body whole, on one line or wrapped
 * anew, a line of it, with any line ends (redact-pem.ts).
 *
 * @example
 * redactSecrets('{"seen":"a\\"key"}', ['a"key']); // '{"seen":"[redacted]"}'
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    const forms = formsOf(secret);
    // One case-insensitive search for all the text forms: a native scan of the text, as fast as
    // includes() on megabytes, that allocates nothing when there is nothing to redact (search()
    // leaves the shared regex's lastIndex as it was).
    if (out.search(forms.text) !== -1) out = out.replace(forms.text, REDACTED);
    // Only a text with a `\u` escape can hold this form: most texts pay one includes().
    if (out.includes("\\u") && out.search(forms.escaped) !== -1) {
      out = out.replace(forms.escaped, REDACTED);
    }
    for (const form of forms.encoded) {
      // includes() first: the common case is nothing to redact, and it allocates nothing.
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    const pem = pemBodyOf(secret);
    if (pem !== undefined) out = redactPemBody(out, pem, REDACTED);
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

/** Every form of `secret` an echo can produce, longest first (so no form is cut by a shorter one). */
function formsOf(secret: string): Forms {
  let forms = formsCache.get(secret);
  if (forms) return forms;
  forms = computeForms(secret);
  if (formsCache.size >= FORMS_CACHE_LIMIT) formsCache.clear();
  formsCache.set(secret, forms);
  return forms;
}

function computeForms(secret: string): Forms {
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const text = new Set<string>([
    secret,
    json,
    // Python's json.dumps (ensure_ascii) and PHP's json_encode escape more than JSON.stringify.
    json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    json.replaceAll("/", "\\/"),
    percent,
    percent.replaceAll("%20", "+"),
    form,
  ]);
  // What gets base64'd is what was sent: the key raw, inside a JSON body, or form-encoded
  // (client_secret_basic encodes before base64).
  const encoded = new Set<string>();
  for (const source of new Set([secret, json, percent, form])) {
    for (const core of base64Cores(source)) {
      encoded.add(core);
      encoded.add(core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  const longestFirst = (forms: Iterable<string>) => [...forms].sort((a, b) => b.length - a.length);
  // Without the `u` flag the `i` flag folds case one UTF-16 unit at a time, as the escapes are.
  const search = longestFirst(text).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return {
    text: new RegExp(search.join("|"), "gi"),
    encoded: longestFirst(encoded),
    escaped: escapedForm(secret),
  };
}

/**
 * The secret as a JSON encoder may write it, any character (UTF-16 unit) as itself, its JSON
 * escape, or `\uXXXX` in either hex case: Go's encoding/json writes `<`, `>`, `&` as `\u003c`,
 * `\u003e`, `\u0026`, and any encoder may escape any character so. Letters in any case, as the
 * other text forms.
 */
function escapedForm(secret: string): RegExp {
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  let pattern = "";
  for (const char of secret.split("")) {
    const hex = char.charCodeAt(0).toString(16).padStart(4, "0");
    const json = char === "/" ? "\\/" : JSON.stringify(char).slice(1, -1);
    const plain = json === char ? quote(char) : `${quote(char)}|${quote(json)}`;
    pattern += `(?:${plain}|\\\\u${hex})`;
  }
  return new RegExp(pattern, "gi");
}

/**
 * The characters of base64(prefix + utf8(source) + suffix) that depend on `source` alone, for a
 * prefix of 0, 1 and 2 bytes mod 3: every longer text that holds `source` encodes to one of these.
 */
function base64Cores(source: string): string[] {
  const bytes = new TextEncoder().encode(source);
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = base64(padded).replace(/=+$/, "");
    // Characters mixing prefix bits: none at offset 0, 2 at offset 1, 3 at offset 2.
    const start = [0, 2, 3][offset] as number;
    // Characters mixing suffix bits: a trailing group of 1 or 2 bytes has 1 or 2 clean ones.
    const whole = Math.floor(padded.length / 3) * 4;
    const end = whole + (padded.length % 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_CORE) cores.push(core);
  }
  return cores;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The secrets this process's configs and managers know, for the outputs that serve no one
 * request (the default warning lines, the `AUTH_DEBUG` lines, warning events): the client keys
 * of the configs built and the tokens the managers held. Bounded: a long-lived process meets
 * ever new tokens; the newest are the ones still in use, and each kind keeps its own room so
 * tokens never push a key out.
 */
const KNOWN_LIMIT = 16;
const knownKeys = new Set<string>();
const knownTokens = new Set<string>();

function remember(set: Set<string>, secret: string | undefined): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return;
  // Moved to the newest end: the oldest is the first one a full set lets go.
  set.delete(secret);
  set.add(secret);
  if (set.size > KNOWN_LIMIT) set.delete(set.values().next().value as string);
}

/** Makes `secret` (a client key, or any credential a config holds) one {@link redactKnown} removes. */
export function rememberSecret(secret: string | undefined): void {
  remember(knownKeys, secret);
}

/** Makes `token` one {@link redactKnown} removes, while it is among the newest ones. */
export function rememberToken(token: string | undefined): void {
  remember(knownTokens, token);
}

/**
 * `text` without any secret this process knows ({@link rememberSecret}, {@link rememberToken})
 * nor any of `more`, in every form {@link redactSecrets} knows.
 *
 * @example
 * rememberSecret("ck-live-123");
 * redactKnown("ignoring unknown variable: AUTH_ck-live-123"); // "… AUTH_[redacted]"
 */
export function redactKnown(text: string, more: readonly (string | undefined)[] = []): string {
  return redactSecrets(text, [...more, ...knownKeys, ...knownTokens]);
}
