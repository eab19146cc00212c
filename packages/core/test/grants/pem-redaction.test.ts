/**
 * A secret that is a PEM key loses its key material in every layout an echo can give it: the
 * whole PEM with any line ends, its base64 body with or without line breaks, one line of it,
 * JSON-escaped or percent-encoded; the text around it is kept.
 */
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { redactSecrets } from "../../src/errors/redact.ts";

const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ format: "pem", type: "pkcs8" })
  .toString();
const LINES = PEM.split("\n").filter((line) => line !== "" && !line.startsWith("-----"));
const BODY = LINES.join("");

/** True when `text`, line breaks and escapes taken out, holds 24 characters of the body. */
function leaksKey(text: string): boolean {
  const compact = decodeURIComponent(text.replace(/%(?![0-9A-Fa-f]{2})/g, "%25")).replace(
    /\s|\\[rn]|\\u000[ad]/gi,
    "",
  );
  for (let at = 0; at + 24 <= BODY.length; at += 8) {
    if (compact.includes(BODY.slice(at, at + 24))) return true;
  }
  return false;
}

const layouts: Record<string, string> = {
  "the PEM as given (LF)": PEM,
  "the PEM with CRLF line ends": PEM.replaceAll("\n", "\r\n"),
  "the PEM with CR line ends": PEM.replaceAll("\n", "\r"),
  "the PEM JSON-escaped with CRLF": JSON.stringify(PEM.replaceAll("\n", "\r\n")),
  "the PEM with \\n written out (a one-line env value)": PEM.replaceAll("\n", "\\n"),
  "the PEM percent-encoded": encodeURIComponent(PEM.replaceAll("\n", "\r\n")),
  "the body on one line": BODY,
  "the body wrapped at 76 columns": (BODY.match(/.{1,76}/g) ?? []).join("\n"),
  "one line of it": LINES[5] ?? "",
  "the last, short line with the one before": `${LINES.at(-2)}\r\n${LINES.at(-1)}`,
  "half a line": (LINES[3] ?? "").slice(10, 42),
};

describe("a PEM secret is redacted in every layout", () => {
  for (const [name, layout] of Object.entries(layouts)) {
    test(`${name}, whatever line ends the configured key has`, () => {
      for (const secret of [PEM, PEM.replaceAll("\n", "\r\n"), PEM.replaceAll("\n", "\\n")]) {
        const out = redactSecrets(`{"error":"bad key: ${layout} (refused)"}`, [secret]);
        expect(leaksKey(out), out).toBe(false);
        expect(out).toContain("[redacted]");
        expect(out).toStartWith('{"error":"bad key: ');
        expect(out).toEndWith(' (refused)"}');
      }
    });
  }

  test("a line of the key in megabytes of other text: that line goes, the rest stays, quickly", () => {
    const other = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(300))));
    const prose = "an ordinary response body, line after line; MIIB is a prefix.\n".repeat(100_000);
    const text = `${prose}data: ${other}\nkey: ${LINES[4]}\n${prose}`;
    const start = performance.now();
    const out = redactSecrets(text, [PEM]);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(out).toBe(`${prose}data: ${other}\nkey: [redacted]\n${prose}`);
  });
});
