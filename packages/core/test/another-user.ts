/**
 * Tests whose case needs a user the test process is not: runs them in both settings, so that no
 * test is skipped because of who runs it.
 *
 * - Cases that need the powers of root to be absent (a directory one may not write in): as root
 *   (CI), the test re-runs itself in a `bun test` child that is still root, so it can read the
 *   checkout wherever it lies (a clone inside a private `mktemp -d` dir is out of another user's
 *   reach), but has lost the capabilities that let root ignore file modes (util-linux `setpriv`
 *   drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the child's bounding set).
 * - Cases that need a file of another user in one's own directory: root chowns it to nobody; any
 *   other user re-runs the test in a child inside a user namespace of its own (`unshare
 *   --map-root-user --mount`), where it is root and bind-mounts a file of the real root, which the
 *   namespace shows as owned by 65534 (the overflow uid), onto the path.
 */
import { spawn, spawnSync } from "node:child_process";
import { chown } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const NOBODY = 65534;

/** True when this process runs as root (the tests' CI), or as root of its own user namespace. */
export const isRoot = process.getuid?.() === 0;

const NAMESPACE_FLAG = "OPENCLAW_TEST_USER_NAMESPACE";

/** True in the child {@link runInUserNamespace} started: root there, an ordinary user outside. */
export const inUserNamespace = process.env[NAMESPACE_FLAG] === "1";

/**
 * Makes `path` (an existing regular file) belong to another user, uid {@link NOBODY} as the
 * process sees it: chown as root; in a user namespace, a bind mount of a file the real root owns
 * (the path then cannot be renamed over: EBUSY). Resolves to the undoing, which the test calls
 * before its temp dir is removed (a mount point cannot be removed either).
 */
export async function giveAway(path: string): Promise<() => void> {
  if (!inUserNamespace) {
    await chown(path, NOBODY, NOBODY);
    return () => {};
  }
  const mounted = spawnSync("mount", ["--bind", "/etc/passwd", path], { encoding: "utf8" });
  if (mounted.status !== 0) throw new Error(`mount --bind failed: ${mounted.stderr}`);
  return () => {
    spawnSync("umount", [path]);
  };
}

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** The regex `bun test -t` needs to match `name` exactly as a substring, not as a pattern. */
const literal = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const NO_OVERRIDE_FLAG = "OPENCLAW_TEST_NO_MODE_OVERRIDE";

/** True where file modes bind this process: any user but root, or root in {@link runWithoutModeOverride}'s child. */
export const modesBind = !isRoot || process.env[NO_OVERRIDE_FLAG] === "1";

/**
 * Runs the tests of `file` whose name contains `name` in a child `bun test` that is root without
 * the powers to ignore file modes (no CAP_DAC_OVERRIDE, no CAP_DAC_READ_SEARCH): a directory of
 * mode 0500 is as closed to it as to any owner. There {@link modesBind} is true. Resolves to the
 * child's exit code and output; the caller asserts that the one test passed.
 *
 * @example
 * if (!modesBind) {
 *   const child = await runWithoutModeOverride(import.meta.path, "a cache dir that is not writable");
 *   expect(child.output).toContain(" 1 pass");
 * }
 */
export function runWithoutModeOverride(file: string, name: string): Promise<ChildTest> {
  return runChild(
    "setpriv",
    [
      "--bounding-set=-dac_override,-dac_read_search",
      "--",
      process.execPath,
      "test",
      file,
      "-t",
      literal(name),
    ],
    { env: { ...process.env, [NO_OVERRIDE_FLAG]: "1" } },
  );
}

/**
 * Runs the tests of `file` whose name contains `name` in a child `bun test` inside a new user
 * and mount namespace where this user is root (util-linux `unshare`; Linux with unprivileged
 * user namespaces). There {@link isRoot} and {@link inUserNamespace} are true.
 *
 * @example
 * if (!isRoot) {
 *   const child = await runInUserNamespace(import.meta.path, "a cache file owned by another user");
 *   expect(child.output).toContain(" 1 pass");
 * }
 */
export function runInUserNamespace(file: string, name: string): Promise<ChildTest> {
  return runChild(
    "unshare",
    ["--user", "--map-root-user", "--mount", process.execPath, "test", file, "-t", literal(name)],
    { env: { ...process.env, [NAMESPACE_FLAG]: "1" } },
  );
}

/** A child test run: its exit code and its output, stdout and stderr together. */
export interface ChildTest {
  readonly code: number | null;
  readonly output: string;
}

async function runChild(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv },
): Promise<ChildTest> {
  const child = spawn(command, args, {
    ...options,
    cwd: PACKAGE_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Uint8Array) => {
    output += new TextDecoder().decode(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  return { code, output };
}
