#!/usr/bin/env sh
':' //; command -v bun >/dev/null 2>&1 && exec bun --config=/dev/null "$0" "$@"; command -v node >/dev/null 2>&1 && exec node -- "$0" "$@"; echo "openclaw-auth: needs Bun (https://bun.sh) or Node.js >= 20 on PATH" >&2; exit 2
/**
 * The `openclaw-auth` bin of the published package: the CLI on Bun when `bun` is on PATH (the
 * faster start), else on Node >= 20, with the same commands, output and exit codes.
 *
 * The file is a shell script and an ES module at once (kept as launcher.sh in the repository so
 * that no formatter rewrites its second line; `#!/usr/bin/env sh` is the shebang form publint
 * asks of a bin). The shell runs the line above: `':' //` is the
 * no-op builtin `:` (no process started), the rest picks the runtime and starts this same file
 * under bun, or under node when there is no bun. To JavaScript that line is the string ':' and a
 * comment; the runtime skips the shebang and runs what follows. A shell, not node, makes the
 * choice: starting node only to start bun would cost tens of ms. (npm's Windows shims need `sh`.)
 * `node --` ends node's own options: Node 20 reads `--env-file` even after the script name, so
 * without it `openclaw-auth --env-file PATH` made node itself read PATH (a FIFO hung, /dev/zero
 * ate memory, a missing file's path, maybe the key, was printed by node). Bun takes no option
 * after the script name, so `bun "$0"` hands every argument to the CLI (a test checks both).
 * `--config=/dev/null`: Bun would read ./bunfig.toml of the working directory, whose `preload`
 * runs any code before the CLI does, in any workspace the CLI is run in (the compiled executable
 * is built with that autoload off for the same reason).
 */
const NODE_MIN = 20;

if (typeof Bun !== "undefined") {
  await import("../lib/bun/main.js");
} else if (Number(process.versions.node.split(".")[0]) < NODE_MIN) {
  process.stderr.write(
    `openclaw-auth: needs Node.js >= ${NODE_MIN} (this is ${process.version}) or Bun (https://bun.sh)\n`,
  );
  process.exitCode = 2;
} else {
  await import("../lib/node/main.js");
}
