/**
 * How many runs, from which seed: fixed and small in `bun run test`, longer with `bun run fuzz`.
 *
 *   FC_RUNS=1000          runs of each main family (30 by default); a slower family (disk, Redis,
 *                         bombs) runs its default share of it, e.g. 12/30 for the disk family
 *   FC_SEED=123           the seed (default {@link DEFAULT_SEED}, so `bun run test` is repeatable)
 *   FC_PATH=12:3:0        with FC_SEED, replays the one shrunk counterexample fast-check printed
 *   FC_SHOW_HOLES=1       runs the known-hole tests as plain tests, to print their counterexamples
 *   FC_SHRINK=1           shrink a counterexample (on by default only in a long run: each
 *                         shrink step is a whole run, and a known hole costs seconds to shrink)
 *
 * A failure prints `seed` and `path`; `FC_SEED=<seed> FC_PATH=<path> bun test test/property`
 * (in packages/core) replays it alone.
 */

const env = typeof process === "undefined" ? {} : process.env;

export const DEFAULT_SEED = 24_2026;

/** The default runs of a main family: FC_RUNS scales every family by FC_RUNS / this. */
const BASE_RUNS = 30;

function positiveInteger(name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not ${text}`);
  return value;
}

/** The fast-check parameters of a property that runs `defaultRuns` times in the normal suite. */
export function runParameters(defaultRuns: number): {
  seed: number;
  numRuns: number;
  path?: string;
  endOnFailure: boolean;
} {
  const path = env.FC_PATH;
  const runs = positiveInteger("FC_RUNS");
  return {
    seed: positiveInteger("FC_SEED") ?? DEFAULT_SEED,
    numRuns:
      runs === undefined ? defaultRuns : Math.max(1, Math.round((runs * defaultRuns) / BASE_RUNS)),
    endOnFailure: !shrink,
    ...(path ? { path } : {}),
  };
}

/** True when the long run was asked for: test timeouts grow with it. */
export const longRun = positiveInteger("FC_RUNS") !== undefined;

/** Shrinking: in a long run or with FC_SHRINK=1 (FC_SHRINK=0 turns it off). */
const shrink = env.FC_SHRINK === undefined ? longRun : env.FC_SHRINK === "1";

/** FC_SHOW_HOLES=1: the known-hole tests run as plain tests (their failures print). */
export const showHoles = env.FC_SHOW_HOLES === "1";
