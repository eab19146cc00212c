/** redactSecrets: a secret echoed in another letter case is still removed, and quickly. */
import { describe, expect, test } from "bun:test";
import { bodyExcerpt, redactSecrets } from "../../src/errors/redact.ts";

const KEY = "CkMixedCaseSecretKey9876";
/** Letters and characters that percent-encoding and JSON escape. */
const ODD = 'Ck/Mixed+Case="Key"é-7788';

describe("redactSecrets in any letter case", () => {
  test("the raw secret lowercased (a URL's host), uppercased and in mixed case", () => {
    const text = `https://${KEY.toLowerCase()}.evil.example ${KEY.toUpperCase()} cKmIxEdCaSeSeCrEtKeY9876`;
    expect(redactSecrets(text, [KEY])).toBe(
      "https://[redacted].evil.example [redacted] [redacted]",
    );
    // What is not the secret stays: a prefix of it, base64 of it in another case (not its form).
    const other = `ckmixedcasesecretkey987 ${btoa(KEY.toUpperCase())}`;
    expect(redactSecrets(other, [KEY])).toBe(other);
  });

  test("percent-encoded with hex digits and letters in either case, and JSON-escaped uppercased", () => {
    const percent = encodeURIComponent(ODD);
    const json = JSON.stringify(ODD).slice(1, -1);
    for (const echo of [
      percent.toLowerCase(),
      percent.toUpperCase(),
      json.toUpperCase(),
      ODD.toLowerCase(),
    ]) {
      expect(redactSecrets(`got ${echo}!`, [ODD]), echo).toBe("got [redacted]!");
    }
  });

  test("a body excerpt quoting the key uppercased", () => {
    expect(bodyExcerpt(`{"error":"unknown client ${KEY.toUpperCase()}"}`, [KEY])).toBe(
      '{"error":"unknown client [redacted]"}',
    );
  });

  test("10 MB of text with the key lowercased at its end is redacted in well under a second", () => {
    const prose = "An ordinary response body, Ck and Mixed and Case words, %2F and %2f too.\n";
    const body = prose.repeat(Math.ceil((10 * 1024 * 1024) / prose.length));
    const text = `${body}${KEY.toLowerCase()}`;
    const secrets = [KEY, "tok-AAAABBBBCCCCDDDD-eeee", ODD];
    redactSecrets("warm up", secrets);
    const start = performance.now();
    const out = redactSecrets(text, secrets);
    const ms = performance.now() - start;
    expect(out).toBe(`${body}[redacted]`);
    // Measured at 10-60 ms on Bun and Node; a loaded machine may take ten times that.
    expect(ms).toBeLessThan(1_000);
  });
});
