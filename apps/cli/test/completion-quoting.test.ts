/**
 * bash completion of `--env-file` offers each file name whole and quoted as the shell reads it
 * back (spaces, `;`, quotes), run in a real bash over a temp dir holding such names.
 */
import { describe, expect, test } from "bun:test";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const bash = Bun.which("bash");

/**
 * What bash's completion offers for `words` (the last one being completed), in `fx.dir`: each
 * offer as inserted, and as bash reads it back on a command line.
 */
async function offers(script: string, words: string[]): Promise<[string, string][]> {
  const file = join(fx.dir, "completion.bash");
  await writeFile(file, script);
  // Words as arguments, not spliced into code: a name with a quote stays one word.
  const probe = `source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_openclaw_auth
for offer in "\${COMPREPLY[@]}"; do
  printf '%s\\t' "$offer"; eval "printf '%s\\n' $offer"
done`;
  const child = Bun.spawn(
    [bash as string, "--norc", "--noprofile", "-c", probe, "probe", file, ...words],
    {
      cwd: join(fx.dir, "names"),
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect(code, err).toBe(0);
  expect(err).toBe("");
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t") as [string, string]);
}

describe("bash completion of --env-file", () => {
  test.skipIf(!bash)(
    "names with spaces, ';' and quotes are offered whole, quoted, and read back as themselves",
    async () => {
      const names = join(fx.dir, "names");
      await mkdir(join(names, "sub dir"), { recursive: true });
      for (const name of ["my file.env", "a;b.env", "it's.env", "plain.env"]) {
        await writeFile(join(names, name), "");
      }
      const script = (await fx.run(["completion", "bash"])).stdout;
      const complete = (word: string) => offers(script, ["openclaw-auth", "--env-file", word]);

      expect(await complete("my")).toEqual([["my\\ file.env", "my file.env"]]);
      expect(await complete("a")).toEqual([["a\\;b.env", "a;b.env"]]);
      expect(await complete("it")).toEqual([["it\\'s.env", "it's.env"]]);
      expect(await complete("su")).toEqual([["sub\\ dir/", "sub dir/"]]);
      // What the user typed so far may be quoted already: it is read as the shell would.
      expect(await complete("my\\ f")).toEqual([["my\\ file.env", "my file.env"]]);
      expect(await complete('"my f')).toEqual([["my\\ file.env", "my file.env"]]);
      // Every name, each once, and the same after a command.
      const all = (await complete("")).map(([, name]) => name).sort();
      expect(all).toEqual(["a;b.env", "it's.env", "my file.env", "plain.env", "sub dir/"]);
      expect(await offers(script, ["openclaw-auth", "token", "--env-file", "a"])).toEqual([
        ["a\\;b.env", "a;b.env"],
      ]);
    },
    TIMEOUT_MS,
  );
});
