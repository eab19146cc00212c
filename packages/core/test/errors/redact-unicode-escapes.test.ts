/** redactSecrets: a secret echoed by a JSON encoder that writes characters as `\uXXXX`. */
import { describe, expect, test } from "bun:test";
import { redactSecrets } from "../../src/errors/redact.ts";

const KEY = "k3y<with>&amp'chars=123456";

/** `text` with the characters `pick` chooses written as `\uXXXX` in hex of case `hexCase`. */
function uEscape(text: string, pick: (char: string, i: number) => boolean, upper = false): string {
  return [...text]
    .map((char, i) => {
      if (!pick(char, i)) return char;
      const hex = char.charCodeAt(0).toString(16).padStart(4, "0");
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    })
    .join("");
}

describe("redactSecrets with JSON \\u escapes", () => {
  test("Go's encoding/json escaping of <, > and & is redacted", () => {
    const echoed = '{"echo":"k3y\\u003cwith\\u003e\\u0026amp\'chars=123456"}';
    expect(redactSecrets(echoed, [KEY])).toBe('{"echo":"[redacted]"}');
  });

  test("any character as \\uXXXX, in either hex case, mixed with JSON escapes", () => {
    const odd = 'Ck/Mixed"Key\\é-7788';
    for (const upper of [false, true]) {
      for (const pick of [
        () => true,
        (_: string, i: number) => i % 2 === 0,
        (c: string) => /[a-z]/.test(c),
      ]) {
        const json = JSON.stringify(odd).slice(1, -1);
        // The quote and backslash stay JSON's own escapes; everything else may be \u'd.
        const echo = uEscape(odd, (c, i) => c !== '"' && c !== "\\" && pick(c, i), upper).replace(
          /["\\](?!u[0-9a-fA-F]{4})/g,
          (c) => `\\${c}`,
        );
        expect(echo).not.toBe(json);
        expect(redactSecrets(`said ${echo}.`, [odd]), echo).toBe("said [redacted].");
      }
    }
  });

  test("text that only resembles the secret is kept", () => {
    const other = "k3y\\u003cwith\\u003e\\u0026amp'chars=12345 and \\u0041";
    expect(redactSecrets(other, [KEY])).toBe(other);
  });

  test("10 MB of JSON full of \\u escapes with the key escaped at its end is redacted in well under a second", () => {
    const line = '{"name":"caf\\u00e9 \\u003cb\\u003e k3y and amp","n":12345}\n';
    const body = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    const text = `${body}${uEscape(KEY, (c) => "<>&".includes(c))}`;
    const start = performance.now();
    const out = redactSecrets(text, [KEY]);
    const ms = performance.now() - start;
    expect(out.endsWith("[redacted]")).toBe(true);
    expect(out.length).toBe(body.length + "[redacted]".length);
    expect(ms).toBeLessThan(1_000);
  });
});
