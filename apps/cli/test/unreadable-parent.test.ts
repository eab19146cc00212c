/**
 * A cache dir under a parent this user may not search: every command goes on with tokens in
 * memory and says so, as for any unusable cache dir; none crashes on the EACCES of looking at
 * it. Bound by file modes as root too (modes.ts).
 */
import { expect, test } from "bun:test";
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";
import { CLI_BOUND_BY_MODES } from "./modes.ts";

const fx = useFixture();

test(
  "status and token under an unreadable parent: the dir refused with EACCES named, tokens in memory, no INTERNAL_ERROR",
  async () => {
    const parent = join(fx.dir, "closed");
    await mkdir(join(parent, "sub"), { recursive: true });
    await chmod(parent, 0o000);
    try {
      const options = { cmd: CLI_BOUND_BY_MODES, env: { AUTH_CACHE_DIR: join(parent, "sub") } };
      const status = await fx.run(["status", "--json"], options);
      expect(status.stderr).not.toContain("INTERNAL_ERROR");
      expect(status.code, status.stderr).toBe(0);
      const entry = JSON.parse(status.stdout) as { state: string; reason: string };
      expect(entry.state).toBe("refused");
      expect(entry.reason).toMatch(/cannot look at it \(EACCES\); tokens are kept in memory only/);
      const token = await fx.run(["token"], options);
      expect(token.code, token.stderr).toBe(0);
      expect(token.stderr).toMatch(/cannot look at it \(EACCES\); tokens are kept in memory only/);
      expect(token.stdout.trim().length).toBeGreaterThan(0);
    } finally {
      await chmod(parent, 0o700);
    }
  },
  TIMEOUT_MS,
);
