/** `completion bash|zsh|fish`: scripts made from the CLI's own spec, run in a real bash. */
import { describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { COMMANDS, GLOBAL_OPTIONS } from "../src/spec.ts";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const bash = Bun.which("bash");

/** What bash's completion offers for the words of a command line (the last one being completed). */
async function complete(script: string, words: string[]): Promise<string[]> {
  const file = join(fx.dir, "completion.bash");
  await writeFile(file, script);
  const line = words.map((w) => `'${w}'`).join(" ");
  const probe = `source ${file}
complete -p openclaw-auth
COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}
_openclaw_auth
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const child = Bun.spawn([bash as string, "--norc", "--noprofile", "-c", probe], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(code, err).toBe(0);
  const [registration, ...offers] = out.trimEnd().split("\n");
  expect(registration).toBe("complete -F _openclaw_auth openclaw-auth");
  return offers.filter((offer) => offer !== "");
}

describe("completion", () => {
  test.skipIf(!bash)(
    "bash: sourced in a real bash, `openclaw-auth to` completes to token, and options per command",
    async () => {
      const run = await fx.run(["completion", "bash"]);
      expect(run.code, run.stderr).toBe(0);
      expect(await complete(run.stdout, ["openclaw-auth", "to"])).toEqual(["token"]);
      expect(await complete(run.stdout, ["openclaw-auth", "token", "--re"])).toEqual(["--refresh"]);
      // A value-taking global option before the command does not hide the command.
      expect(
        await complete(run.stdout, ["openclaw-auth", "--base", "http://x", "request", "--da"]),
      ).toEqual(["--data"]);
      expect(await complete(run.stdout, ["openclaw-auth", "dev-gateway", "--ad"])).toEqual([
        "--admin",
      ]);
      expect(await complete(run.stdout, ["openclaw-auth", "completion", "f"])).toEqual(["fish"]);
      // Every command of the spec is offered at the start.
      const all = await complete(run.stdout, ["openclaw-auth", ""]);
      expect(all).toEqual([...COMMANDS.map((c) => c.name), "help"]);
      // Every global option of the spec is offered after any command.
      const globals = await complete(run.stdout, ["openclaw-auth", "status", "--"]);
      for (const name of Object.keys(GLOBAL_OPTIONS)) expect(globals).toContain(`--${name}`);
    },
    TIMEOUT_MS,
  );

  test(
    "zsh and fish scripts name every command and option of the spec; another shell is a usage error",
    async () => {
      const zsh = await fx.run(["completion", "zsh"]);
      expect(zsh.code).toBe(0);
      expect(zsh.stdout).toContain("bashcompinit");
      expect(zsh.stdout).toContain("complete -F _openclaw_auth openclaw-auth");
      const fish = await fx.run(["completion", "fish"]);
      expect(fish.code).toBe(0);
      for (const command of COMMANDS) {
        expect(fish.stdout).toContain(`-n __fish_use_subcommand -a ${command.name} `);
        for (const name of Object.keys(command.options)) {
          expect(fish.stdout).toContain(
            `-n '__fish_seen_subcommand_from ${command.name}' -l ${name}`,
          );
        }
      }
      const other = await fx.run(["completion", "tcsh"]);
      expect(other.code).toBe(2);
      expect(other.stderr).toContain("use one of bash, zsh, fish");
      expect((await fx.run(["completion"])).code).toBe(2);
    },
    TIMEOUT_MS,
  );
});
