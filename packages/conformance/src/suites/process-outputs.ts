/**
 * The outputs that serve no one request: the default warning lines on stderr and the
 * `AUTH_DEBUG=1` lines. They redact every secret the process's configs and managers know, even
 * where the secret hides in a variable's name or a path the warning quotes.
 */
import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, it, recordOutput, withFixture } from "../support.ts";
import type { Harness } from "../types.ts";

/** A client key that is a valid variable name suffix (the suite's key has dashes). */
const NAME_KEY = "ckLIVEcanary7f3a9cNAMEKEY";

export function processOutputsSuite(h: Harness): void {
  h.t.describe("process-wide outputs redacted", () => {
    it(
      h,
      "the default warning about an unknown variable named after the key hides the key",
      async () => {
        const [run] = await h.runClients(1, ["no-such-command"], {
          AUTH_BASE: "http://127.0.0.1:9",
          CLIENT_KEY: NAME_KEY,
          [`AUTH_${NAME_KEY}`]: "x",
        });
        assert.ok(run);
        recordOutput(run.stderr);
        assert.match(run.stderr, /openclaw-auth: ignoring unknown variable: AUTH_\[redacted\]/);
        assert.equal(run.stderr.includes(NAME_KEY), false, run.stderr);
        assert.equal(run.stdout.includes(NAME_KEY), false, run.stdout);
      },
    );

    it(
      h,
      "AUTH_DEBUG lines and the default warning about a cache dir path holding the key hide it",
      async () => {
        await withFixture(h, {}, async (f) => {
          const real = join(f.root, "real");
          await mkdir(real, { mode: 0o700 });
          const link = join(f.root, `link-${CLIENT_KEY}`);
          await symlink(real, link);
          const [run] = await h.runClients(1, ["token"], {
            ...f.env,
            AUTH_CACHE_DIR: link,
            AUTH_DEBUG: "1",
          });
          assert.ok(run);
          recordOutput(run.stderr);
          assert.equal(run.code, 0, run.stderr);
          assert.match(run.stderr, /openclaw-auth: cache\.warning message=".*link-\[redacted\]/);
          assert.match(run.stderr, /openclaw-auth: not using cache dir .*link-\[redacted\]/);
          assert.equal(run.stderr.includes(CLIENT_KEY), false, run.stderr);
        });
      },
    );
  });
}
