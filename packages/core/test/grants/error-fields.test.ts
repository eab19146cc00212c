/** Redaction of an error covers every field of it and its cause chain, not only its message. */
import { expect, test } from "bun:test";
import { inspect } from "node:util";
import { AuthSessionError, redactErrorFields } from "../../src/errors/errors.ts";

const SECRET = "cc-fields-CANARY+9a/1";

test("oauthError, any other text field and the cause chain lose the secret; other fields are kept", () => {
  const cause = Object.assign(new Error(`upstream said ${SECRET}`), { detail: `Basic ${SECRET}` });
  const error = Object.assign(
    new AuthSessionError("OAuth token request failed (HTTP 400)", {
      status: 400,
      request: "POST http://127.0.0.1:1/token",
      oauthError: SECRET,
      cause,
    }),
    { hint: `try ${encodeURIComponent(SECRET)}` },
  );
  const same = redactErrorFields(error, [SECRET]);
  expect(same).toBe(error);
  expect(error.oauthError).toBe("[redacted]");
  expect((error as { hint?: string }).hint).toBe("try [redacted]");
  expect(error.status).toBe(400);
  expect(error.request).toBe("POST http://127.0.0.1:1/token");
  expect(error.name).toBe("AuthSessionError");
  expect(error).toBeInstanceOf(AuthSessionError);
  const shown = inspect(error, { depth: 8 });
  expect(shown).not.toContain("CANARY");
  expect(shown).toContain("[redacted]");
});
