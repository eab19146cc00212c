/** redactSecrets: every form an echo can give a secret is removed, and nothing else is touched. */
import { describe, expect, test } from "bun:test";
import { bodyExcerpt, redactSecrets } from "../../src/errors/redact.ts";

const KEY = 'ck-live-"CANARY"\\7f3a9c/é ü+&=%';
const PLAIN = "ck-live-CANARY-7f3a9c";

const utf8 = (text: string) => new TextEncoder().encode(text);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const b64url = (bytes: Uint8Array) => b64(bytes).replace(/\+/g, "-").replace(/\//g, "_");

/** No substring of `text` decodes (as base64 or base64url, at any alignment) to bytes holding `secret`. */
function decodesTo(text: string, secret: string): boolean {
  const want = new TextDecoder().decode(utf8(secret));
  for (const run of text.match(/[A-Za-z0-9+/\-_]{8,}/g) ?? []) {
    const std = run.replace(/-/g, "+").replace(/_/g, "/");
    for (let skip = 0; skip < 4; skip++) {
      const part = std.slice(skip, skip + Math.floor((std.length - skip) / 4) * 4);
      try {
        const binary = atob(part);
        const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
        if (new TextDecoder().decode(bytes).includes(want)) return true;
      } catch {
        // Not base64 at this alignment.
      }
    }
  }
  return false;
}

describe("redactSecrets", () => {
  test("the raw secret, every occurrence", () => {
    expect(redactSecrets(`a ${KEY} b ${KEY}`, [KEY])).toBe("a [redacted] b [redacted]");
  });

  test("JSON-escaped, as JSON.stringify, Python's ensure_ascii and PHP's escaped slashes write it", () => {
    const json = JSON.stringify({ echo: KEY });
    const python = json.replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    const php = json.replace(/\//g, "\\/");
    for (const body of [json, python, php]) {
      expect(redactSecrets(body, [KEY])).toBe('{"echo":"[redacted]"}');
    }
  });

  test("percent-encoded and form-encoded, upper- or lower-case hex", () => {
    const forms = [
      encodeURIComponent(KEY),
      encodeURIComponent(KEY).replace(/%20/g, "+"),
      new URLSearchParams({ k: KEY }).toString().slice(2),
      encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    ];
    for (const form of forms) {
      expect(redactSecrets(`?k=${form}&x=1`, [KEY])).toBe("?k=[redacted]&x=1");
    }
  });

  test("base64 and base64url at every byte offset inside a longer text", () => {
    for (const secret of [KEY, PLAIN]) {
      for (const prefix of ["", "a", "ab", "abc", "client:", '{"clientKey":"']) {
        for (const suffix of ["", "x", "xy", '"}']) {
          const bytes = utf8(`${prefix}${secret}${suffix}`);
          for (const encoded of [b64(bytes), b64url(bytes)]) {
            const out = redactSecrets(`seen: ${encoded}.`, [secret]);
            expect(out).toContain("[redacted]");
            expect(decodesTo(out, secret)).toBe(false);
          }
        }
      }
    }
  });

  test("base64 of what the client sent: the key in a JSON body, or form-encoded for Basic", () => {
    const body = utf8(JSON.stringify({ clientKey: KEY }));
    expect(redactSecrets(b64(body), [KEY])).toContain("[redacted]");
    const basic = b64(utf8(`my-client:${new URLSearchParams({ s: KEY }).toString().slice(2)}`));
    expect(redactSecrets(`Basic ${basic}`, [KEY])).toContain("[redacted]");
  });

  test("text without a secret comes back as it is; short and empty secrets are ignored", () => {
    const text = `{"ok":true,"b64":"${b64(utf8("something else entirely"))}"}`;
    expect(redactSecrets(text, [KEY, PLAIN, undefined, ""])).toBe(text);
    expect(redactSecrets("a b ab", ["a", "ab"])).toBe("a b ab");
  });

  test("many calls with the same secrets stay cheap (the forms are computed once)", () => {
    const text = "x".repeat(10_000);
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) redactSecrets(text, [KEY, PLAIN]);
    // Recomputing ~30 forms per call would be ~10x slower; this bound is far from both.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("bodyExcerpt", () => {
  test("an excerpt of a JSON body that echoes the key holds no form of it", () => {
    const body = `${"y".repeat(150)}${JSON.stringify({ echo: KEY })}${"z".repeat(100)}`;
    const excerpt = bodyExcerpt(body, [KEY]);
    expect(excerpt).not.toContain("CANARY");
    expect(excerpt.length).toBeLessThanOrEqual(201);
  });
});
