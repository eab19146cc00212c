/**
 * The text results on stdout (`status`'s rows, `skill install`'s dir, doctor's report) are
 * redacted and escaped like stderr: a path the user or the host chose (AUTH_CACHE_DIR, HOME, the
 * workspace) may hold the key or a control a terminal obeys. Only `token` prints its result as
 * it is.
 */
import { describe, expect, test } from "bun:test";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** Retitles the window, clears the screen (also its 8-bit C1 form), rewinds the line. */
const EVIL = "A\x1b]0;pwned\x07B\x1b[2JC\u009b2JD\rE";

/** The control characters in `text` but the line feeds that end its lines. */
const controlsIn = (text: string) => [...text.matchAll(/(?!\n)\p{Cc}/gu)].map((m) => m[0]);

describe("stdout text about paths", () => {
  test(
    "status never prints the key that is part of AUTH_CACHE_DIR or of HOME (a cache dir of ~/…)",
    async () => {
      // fx.run fails on any form of the key in stdout or stderr.
      const cacheDir = join(fx.dir, `link-${CLIENT_KEY}`);
      const run = await fx.run(["status"], { env: { AUTH_CACHE_DIR: cacheDir } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(join(fx.dir, "link-[redacted]"));
      const home = join(fx.dir, `home-${CLIENT_KEY}`);
      await mkdir(home);
      const byHome = await fx.run(["status"], { env: { AUTH_CACHE_DIR: "~/cache", HOME: home } });
      expect(byHome.code, byHome.stderr).toBe(0);
      expect(byHome.stdout).toContain(join(fx.dir, "home-[redacted]", "cache"));
    },
    TIMEOUT_MS,
  );

  test(
    "status shows the control characters of AUTH_CACHE_DIR escaped, one row per field",
    async () => {
      const run = await fx.run(["status"], { env: { AUTH_CACHE_DIR: join(fx.dir, EVIL) } });
      expect(run.code, run.stderr).toBe(0);
      expect(controlsIn(run.stdout)).toEqual([]);
      expect(run.stdout).toContain("A\\x1b]0;pwned\\x07B\\x1b[2JC\\x9b2JD E");
      expect(run.stdout.split("\n")[0]).toStartWith("path:");
    },
    TIMEOUT_MS,
  );

  test(
    "skill install never prints the key in the workspace path, nor its controls raw",
    async () => {
      for (const name of [`ws-${CLIENT_KEY}`, `ws-${EVIL}`]) {
        const workspace = join(fx.dir, name);
        await mkdir(workspace);
        const run = await fx.run(["skill", "install", "--workspace", workspace]);
        expect(run.code, run.stderr).toBe(0);
        expect(controlsIn(run.stdout)).toEqual([]);
        expect(run.stdout).toEndWith("skills/openclaw-gateway\n");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "token still prints the token exactly, with nothing added",
    async () => {
      const run = await fx.run(["token"], {
        env: { AUTH_CACHE_DIR: join(fx.dir, `c-${CLIENT_KEY}`) },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^eyJ[\w-]*\.[\w-]+\.[\w-]+\n$/);
    },
    TIMEOUT_MS,
  );
});
