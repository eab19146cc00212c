/**
 * Redaction of PEM key material (a `CLIENT_KEY` of private_key_jwt, or any secret that is a PEM):
 * an echo may give the key's base64 body in pieces, with other line ends, on one line, one line
 * of it, JSON-escaped or percent-encoded, so no fixed list of forms finds it. Any stretch of text
 * that spells, once its line breaks and escapes are taken out, 16 or more characters of the
 * key's body is redacted.
 */

/**
 * A stretch shorter than this is left: a key's body is random, so 16 characters of it occur in
 * other text only by design, yet shorter pieces of base64 are everyday text.
 */
const WINDOW = 16;

/**
 * A stretch is looked at only when it holds this many characters of the body in a row: a quick
 * search that lets the text of everyday responses (megabytes of prose) pass untouched. An echo
 * that breaks the key more often than every 8 characters is not one found here.
 */
const ANCHOR = 8;
const RUN = /[A-Za-z0-9+/]{8,}/g;

interface BodyWindows {
  /** Every WINDOW characters of the body, at every offset. */
  readonly windows: ReadonlySet<string>;
  /** Every ANCHOR characters of the body, at every offset. */
  readonly anchors: ReadonlySet<string>;
}

/** Windows by body, computed once: redaction runs on every error path with the same key. */
const windowsCache = new Map<string, BodyWindows>();
const WINDOWS_CACHE_LIMIT = 8;

/**
 * The base64 body of a PEM-armoured `secret` (`-----BEGIN …-----` … `-----END …-----`, a
 * literal `\n` or `\r` standing for a line end, as in one-line environment variables), header
 * lines (`Proc-Type: …`) and whitespace removed; undefined when `secret` is no PEM.
 */
export function pemBodyOf(secret: string): string | undefined {
  if (!secret.includes("-----BEGIN ")) return undefined;
  const text = secret.replaceAll("\\r", "\r").replaceAll("\\n", "\n");
  const armour = /-----BEGIN [^\r\n-]+-----([\s\S]*?)-----END [^\r\n-]+-----/.exec(text);
  if (!armour?.[1]) return undefined;
  const body = armour[1].replace(/^[\w-]+:.*$/gm, "").replace(/\s+/g, "");
  return body.length >= WINDOW ? body : undefined;
}

/**
 * A stretch of text that may hold key material: base64 characters, the escaped forms an echo
 * gives them (`%2B`, `%2F`, `%3D`, `\/`) and line breaks in any form (CR, LF, `\r`, `\n` written
 * out, `\u000a`, `%0A`) or other whitespace between them.
 */
const STRETCH = /(?:[A-Za-z0-9+/=]|%2[BbFf]|%3[Dd]|\\\/|\\[rn]|\\u000[aAdD]|%0[aAdD]|\s)+/g;
/** One unit of a stretch: what it stands for is {@link decodeUnit}'s. */
const UNIT = /%2[BbFf]|%3[Dd]|\\\/|\\[rn]|\\u000[aAdD]|%0[aAdD]|[\s\S]/g;

/** The base64 character a unit stands for, or "" for a line break or other space. */
function decodeUnit(unit: string): string {
  if (unit.length === 1) return /\s/.test(unit) ? "" : unit;
  const upper = unit.toUpperCase();
  if (upper === "%2B") return "+";
  if (upper === "%2F") return "/";
  if (upper === "%3D") return "=";
  if (unit === "\\/") return "/";
  return "";
}

const slices = (text: string, length: number): Set<string> => {
  const all = new Set<string>();
  for (let i = 0; i + length <= text.length; i++) all.add(text.slice(i, i + length));
  return all;
};

function windowsOf(body: string): BodyWindows {
  let windows = windowsCache.get(body);
  if (windows) return windows;
  windows = { windows: slices(body, WINDOW), anchors: slices(body, ANCHOR) };
  if (windowsCache.size >= WINDOWS_CACHE_LIMIT) windowsCache.clear();
  windowsCache.set(body, windows);
  return windows;
}

/** True when `run` (base64 characters) holds ANCHOR characters of the body in a row. */
function holdsAnchor(run: string, anchors: ReadonlySet<string>): boolean {
  for (let i = 0; i + ANCHOR <= run.length; i++) {
    if (anchors.has(run.slice(i, i + ANCHOR))) return true;
  }
  return false;
}

/** Characters a stretch may hold (a superset: the escapes' `%` and `\\` with the rest). */
const STRETCH_CHAR = /[A-Za-z0-9+/=%\\\s]/;

/** The stretch of `text` (see {@link STRETCH}) that holds the character at `index`. */
function stretchAt(text: string, index: number): { from: number; to: number } {
  // Back to a character no stretch holds: every stretch starts after one, so the search from
  // there finds the stretch that holds `index` whole.
  let left = index;
  while (left > 0 && STRETCH_CHAR.test(text[left - 1] as string)) left--;
  const search = new RegExp(STRETCH.source, "g");
  search.lastIndex = left;
  for (let match = search.exec(text); match; match = search.exec(text)) {
    const to = match.index + match[0].length;
    if (to > index) return { from: match.index, to };
  }
  return { from: index, to: index };
}

/**
 * `text` with every stretch that spells 16 or more characters of `body` (a PEM key's base64
 * body, see {@link pemBodyOf}) replaced by `replacement`, whatever line breaks or escapes the
 * stretch has. What surrounds the key material in the stretch (a word before it) is kept.
 */
export function redactPemBody(text: string, body: string, replacement: string): string {
  const { windows, anchors } = windowsOf(body);
  let out = "";
  let done = 0;
  // Only a stretch around a run of the body's characters is looked at closely: megabytes of
  // everyday text are one native search.
  for (const run of text.matchAll(RUN)) {
    if (run.index < done || !holdsAnchor(run[0], anchors)) continue;
    const { from, to } = stretchAt(text, run.index);
    out += text.slice(done, from) + redactStretch(text.slice(from, to), windows, replacement);
    done = to;
  }
  return done === 0 ? text : out + text.slice(done);
}

/** `stretch` with the key material it spells replaced (see {@link redactPemBody}). */
function redactStretch(stretch: string, windows: ReadonlySet<string>, replacement: string): string {
  // The stretch without its breaks and escapes, and where each character of it came from.
  let compact = "";
  const starts: number[] = [];
  const ends: number[] = [];
  for (const unit of stretch.matchAll(UNIT)) {
    const char = decodeUnit(unit[0]);
    if (char === "") continue;
    compact += char;
    starts.push(unit.index);
    ends.push(unit.index + unit[0].length);
  }
  // Covered characters of `compact`, as [from, to) ranges, merged as they come.
  const ranges: [number, number][] = [];
  for (let i = 0; i + WINDOW <= compact.length; i++) {
    if (!windows.has(compact.slice(i, i + WINDOW))) continue;
    const last = ranges.at(-1);
    if (last && i <= last[1]) last[1] = i + WINDOW;
    else ranges.push([i, i + WINDOW]);
  }
  let out = "";
  let at = 0;
  for (const [from, to] of ranges) {
    out += stretch.slice(at, starts[from] as number) + replacement;
    at = ends[to - 1] as number;
  }
  return out + stretch.slice(at);
}
