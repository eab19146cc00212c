/**
 * Whether the platform counts a process as alive (`isProcessAlive`), which decides whether a
 * lock or temp file named after it is a dead one's: a process that exists but that we may not
 * signal (another user's: EPERM) is alive, one that does not exist (ESRCH) is not. Root may
 * signal any process, so as root the case runs in a child that has lost that power
 * (CAP_KILL), given this process's environment, against a process of nobody's.
 */
import { expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { posixServices as p } from "../../src/posix/posix-files.ts";
import { isRoot, NOBODY } from "../fixtures/another-user.ts";

/** A pid no process has: above Linux's pid_max. */
const DEAD_PID = 4_194_399;
const TARGET = "OPENCLAW_TEST_OTHER_USERS_PID";
const NAME =
  "a live process of another user, which we may not signal, is alive; a pid with no process is not";

test(NAME, async () => {
  const target = Number(process.env[TARGET] ?? 1);
  const mayNotSignal = !isRoot || process.env[TARGET] !== undefined;
  if (mayNotSignal) {
    // Here kill(pid, 0) fails with EPERM: the process is another user's, and we lack CAP_KILL.
    expect(statSync(`/proc/${target}`).uid).not.toBe(process.getuid?.());
    expect(p.isProcessAlive(target)).toBe(true);
    expect(p.isProcessAlive(DEAD_PID)).toBe(false);
    return;
  }
  const sleeper = spawn(
    "setpriv",
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "sleep", "30"],
    { stdio: "ignore" },
  );
  try {
    // setpriv changes its user, then becomes `sleep`: wait for the first (a few ms at most).
    const pid = sleeper.pid ?? 0;
    for (let i = 0; i < 2_000 && statSync(`/proc/${pid}`).uid !== NOBODY; i++) await Bun.sleep(1);
    const child = spawnSync(
      "setpriv",
      [
        "--inh-caps=-kill",
        "--bounding-set=-kill",
        "--",
        process.execPath,
        "test",
        import.meta.path,
        "-t",
        NAME,
      ],
      { env: { ...process.env, [TARGET]: String(sleeper.pid) }, encoding: "utf8" },
    );
    const output = `${child.stdout}${child.stderr}`;
    expect(output).toContain(" 1 pass");
    expect(child.status).toBe(0);
  } finally {
    sleeper.kill();
  }
});
