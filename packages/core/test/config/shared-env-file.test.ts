/** Which working dirs read a skills folder's shared `_shared/.env` (env-file.ts's sharedEnvFileOf). */
import { describe, expect, test } from "bun:test";
import { sharedEnvFileOf } from "../../src/config/env-file.ts";

describe("the shared env file of a working dir", () => {
  const cases: [string, string | undefined][] = [
    ["/ws/skills/scrape", "/ws/skills/_shared/.env"],
    ["/ws/skills/scrape/scripts", "/ws/skills/_shared/.env"],
    ["/ws/skills/scrape/scripts/deep/er", "/ws/skills/_shared/.env"],
    ["/home/me/.openclaw/skills/a-skill", "/home/me/.openclaw/skills/_shared/.env"],
    ["/skills/a", "/skills/_shared/.env"],
    // The innermost skills/<skill> of the path decides.
    ["/ws/skills/outer/vendor/skills/inner/bin", "/ws/skills/outer/vendor/skills/_shared/.env"],
    // Not in a skill's folder: the skills dir itself, its _shared folder, anywhere else.
    ["/ws/skills", undefined],
    ["/ws/skills/", undefined],
    ["/ws/skills/_shared", undefined],
    ["/ws/skills/_shared/x", undefined],
    ["/ws/my-skills/a", undefined],
    ["/ws/Skills/a", undefined],
    ["/", undefined],
  ];
  for (const [cwd, expected] of cases) {
    test(`${cwd} -> ${expected ?? "none"}`, () => {
      expect(sharedEnvFileOf(cwd)).toBe(expected);
    });
  }
});
