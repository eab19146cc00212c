/**
 * What the entry (main.ts) lends the rest of the CLI: the environment the process was started
 * with and the format of a printed token, which its warm path of `token` uses too. Lent, not
 * imported: main.ts is only the entry, and its warm path loads no module of the CLI but itself.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface WarmPath {
  /** The environment the process was started with (main.ts says why it is not `process.env`). */
  readonly startEnvironment: () => Env;
  /** What `token` prints: the token and a newline, or with `json` one line of JSON. */
  readonly formatToken: (
    info: { readonly accessToken: string; readonly expiresAt: number; readonly source: string },
    json: boolean,
    dryRun?: boolean,
  ) => string;
}

let lent: WarmPath | undefined;

/** Called by cli.ts's `main` with what main.ts hands it, before anything else runs. */
export function lendWarmPath(path: WarmPath): void {
  lent = path;
}

/** What main.ts lent; it lends before any command runs, so this never fails in the CLI. */
export function warmPath(): WarmPath {
  if (lent === undefined) throw new Error("cli.ts ran without main.ts lending its warm path");
  return lent;
}
