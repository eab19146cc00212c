/**
 * Every form in which a secret can leave: as it is, JSON-escaped, percent- or form-encoded,
 * base64/base64url at any byte offset, and for a PEM key its body and each of its lines. Written
 * apart from src/errors/redact.ts on purpose: the suite must not share the redactor's blind spots.
 */

const MIN_BASE64_CORE = 8;
const MIN_PEM_LINE = 16;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The base64 characters that depend on `source` alone, at byte offsets 0, 1 and 2. */
function base64Cores(source: string): string[] {
  const bytes = new TextEncoder().encode(source);
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = base64(padded).replace(/=+$/, "");
    const start = [0, 2, 3][offset] as number;
    const end = Math.floor(padded.length / 3) * 4 + (padded.length % 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_CORE) cores.push(core);
  }
  return cores;
}

/** The text forms of one secret, named (the name goes into a failure message, not the form). */
export function formsOf(secret: string): Map<string, string> {
  const forms = new Map<string, string>();
  const add = (name: string, form: string) => {
    if (form.length >= 3 && !forms.has(form)) forms.set(form, name);
  };
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  add("raw", secret);
  add("json", json);
  add(
    "json-ascii",
    json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  );
  add("json-slash", json.replaceAll("/", "\\/"));
  add("percent", percent);
  add(
    "percent-lower",
    percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  );
  add("form", form);
  for (const source of new Set([secret, json, percent, form])) {
    for (const core of base64Cores(source)) {
      add("base64", core);
      add("base64url", core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  if (secret.includes("-----BEGIN")) {
    const body = secret
      .replaceAll("\\n", "\n")
      .split(/\r?\n/)
      .filter((line) => line !== "" && !line.startsWith("-----"));
    add("pem-body", body.join(""));
    add("pem-crlf", secret.replaceAll("\n", "\r\n"));
    add("pem-escaped-newlines", secret.replaceAll("\n", "\\n"));
    for (const line of body) if (line.length >= MIN_PEM_LINE) add("pem-line", line);
  }
  return forms;
}

/** A set of secrets, searched in text: which one, in which form, or undefined. */
export class SecretSet {
  readonly #forms = new Map<string, { label: string; form: string }>();

  add(label: string, secret: string | undefined): void {
    if (!secret || secret.length < 3) return;
    for (const [form, name] of formsOf(secret)) {
      if (!this.#forms.has(form)) this.#forms.set(form, { label: `${label} (${name})`, form });
    }
  }

  /** The label of the first secret form found in `text`. */
  find(text: string): string | undefined {
    for (const { label, form } of this.#forms.values()) if (text.includes(form)) return label;
    return undefined;
  }
}
