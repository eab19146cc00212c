/**
 * The READMEs, followed as a new user follows them: every shell block of README.md, in order, in one
 * bash (`set -eo pipefail`, so a failing command fails its block; variables, `cd` and background
 * jobs carry over from block to block as in a terminal), from the repository root, on a fresh
 * HOME and TMPDIR, with no AUTH_* or CLIENT_KEY in the environment. Each block is one test that
 * passes when the block ran to its end. README.zh-CN.md is followed the same way, in a shell of its
 * own (translation.test.ts checks that its blocks are the English ones, comments aside).
 *
 * What the harness does that a reader does too:
 * - it skips the line running `bun run test` (this test is one of those tests);
 * - after a block that starts something in the background (`… &`), it waits for that process to
 *   print "listening on", as a reader waits to see the dev gateway's first line;
 * - it swaps the dev gateway's port 8787 for a free one, so it never meets another process's.
 * The blocks that install packed tarballs fetch zod and dotenv from the registry; everything else
 * runs on 127.0.0.1 only.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shellBlocks } from "../src/shell-blocks.ts";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const READMES = ["README.md", "README.zh-CN.md"];
/** The command whose line is skipped, because it runs this test. */
const RECURSIVE = /\bbun run test\b/;
const DEV_PORT = "8787";
/** A block may build every package and install tarballs: generous, and not a timing check. */
const BLOCK_TIMEOUT_MS = 600_000;

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** One bash fed block by block, its output collected, so a test can wait for a line. */
class Shell {
  output = "";
  exitCode: number | null = null;
  readonly #child: Bun.Subprocess<"pipe", "pipe", "pipe">;
  readonly #done: Promise<number>;

  constructor(env: Record<string, string>) {
    this.#child = Bun.spawn(["bash", "--noprofile", "--norc", "-s"], {
      cwd: REPO,
      env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    void this.#collect(this.#child.stdout);
    void this.#collect(this.#child.stderr);
    this.#done = this.#child.exited.then((code) => {
      this.exitCode = code;
      return code;
    });
    this.send("set -eo pipefail\n");
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) this.output += decoder.decode(chunk, { stream: true });
  }

  send(text: string): void {
    this.#child.stdin.write(text);
    this.#child.stdin.flush();
  }

  /** Resolves when `pattern` shows in the output after `from`; rejects if the shell exits. */
  async waitFor(pattern: RegExp, from: number): Promise<void> {
    for (;;) {
      if (pattern.test(this.output.slice(from))) return;
      if (this.exitCode !== null) {
        throw new Error(
          `the shell exited with ${this.exitCode}; output:\n${this.output.slice(from)}`,
        );
      }
      await Promise.race([Bun.sleep(50), this.#done]);
    }
  }

  /** Ends the shell and anything it left in the background. */
  async close(): Promise<void> {
    if (this.exitCode === null) {
      this.send("kill $(jobs -p) 2>/dev/null || true\nexit 0\n");
      this.#child.stdin.end();
    }
    await Promise.race([this.#done, Bun.sleep(10_000)]);
    if (this.exitCode === null) this.#child.kill("SIGKILL");
  }
}

/** The line without its trailing `# comment` (translated in README.zh-CN.md). */
const withoutComment = (line: string): string => line.replace(/\s+#\s.*$/, "");

for (const readme of READMES) {
  const blocks = shellBlocks(await readFile(join(REPO, readme), "utf8"));

  describe(`${readme}, every shell block in order`, () => {
    let work = "";
    let shell: Shell;
    let port = 0;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), "openclaw-readme-"));
      port = await freePort();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: join(work, "home"),
        TMPDIR: work,
        LANG: "C.UTF-8",
        TURBO_TELEMETRY_DISABLED: "1",
        DO_NOT_TRACK: "1",
      };
      await Bun.write(join(env.HOME as string, ".keep"), "");
      shell = new Shell(env);
    });

    afterAll(async () => {
      await shell?.close();
      // What the Install block packs into the clone.
      await rm(join(REPO, "packed"), { recursive: true, force: true });
      if (work) await rm(work, { recursive: true, force: true });
    });

    test("has shell blocks, and exactly one line that runs the test suite (skipped here)", () => {
      expect(blocks.length).toBeGreaterThan(3);
      const recursive = blocks.flatMap((block) =>
        block.text.split("\n").filter((line) => RECURSIVE.test(line)),
      );
      expect(recursive.map(withoutComment)).toEqual(["bun install && bun run test"]);
    });

    blocks.forEach((block, index) => {
      const first = block.text.split("\n")[0] ?? "";
      test(
        `block ${index + 1} (line ${block.line}) exits 0: ${first}`,
        async () => {
          const text = block.text
            .split("\n")
            .filter((line) => !RECURSIVE.test(line))
            .join("\n")
            .replaceAll(DEV_PORT, String(port));
          const from = shell.output.length;
          const marker = `::readme-block ${index + 1} done`;
          shell.send(`${text}\nprintf '\\n%s\\n' '${marker}'\n`);
          await shell.waitFor(new RegExp(`^${marker}$`, "m"), from);
          if (/&\s*(#.*)?$/m.test(text)) await shell.waitFor(/listening on/, from);
        },
        BLOCK_TIMEOUT_MS,
      );
    });
  });
}
