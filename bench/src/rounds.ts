/**
 * Rounds of measurements (mitata's, or short timed batches): every variant is measured once per
 * round, in a rotating order, so load from other processes falls on all of them alike. Runs on
 * Bun and Node.
 */
import { measure } from "mitata";

/** An async (or sync) operation to measure. */
export type Operation = () => unknown;

export interface RoundsOptions {
  /** Number of rounds. */
  readonly rounds: number;
  /** mitata's `min_cpu_time` per variant per round, in milliseconds. */
  readonly roundMs: number;
  /** Calls in flight at once (mitata's `concurrency`). @default 1 */
  readonly concurrency?: number;
}

/** One variant's result over all rounds. */
export interface VariantResult {
  /** Operations per second in each round (1 / mean time per operation). */
  readonly opsPerSec: readonly number[];
  /** Median over rounds of `opsPerSec`. */
  readonly medianOpsPerSec: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Each variant's throughputs over the rounds, with their median, beside the rows themselves. */
function byVariant<K extends string>(
  names: readonly K[],
  perRound: Record<K, number>[],
): Record<K, VariantResult> & { perRound: Record<K, number>[] } {
  const out = { perRound } as Record<K, VariantResult> & { perRound: Record<K, number>[] };
  for (const name of names) {
    const opsPerSec = perRound.map((row) => row[name]);
    (out as Record<K, VariantResult>)[name] = { opsPerSec, medianOpsPerSec: median(opsPerSec) };
  }
  return out;
}

/**
 * Measures each named operation once per round, rotating the order round by round.
 * Throughput per round is `concurrency / avg` where `avg` is mitata's mean sample time.
 */
export async function interleavedRounds<K extends string>(
  variants: Readonly<Record<K, Operation>>,
  options: RoundsOptions,
): Promise<Record<K, VariantResult> & { perRound: Record<K, number>[] }> {
  const names = Object.keys(variants) as K[];
  const concurrency = options.concurrency ?? 1;
  const perRound: Record<K, number>[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const row = {} as Record<K, number>;
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as K;
      const stats = await measure(variants[name], {
        min_cpu_time: options.roundMs * 1e6,
        concurrency,
      });
      row[name] = (concurrency * 1e9) / stats.avg;
    }
    perRound.push(row);
  }
  return byVariant(names, perRound);
}

export interface BatchOptions {
  /** Number of rounds. */
  readonly rounds: number;
  /** Calls of each variant per round, timed together. */
  readonly batch: number;
  /** Chains of calls in flight at once, each making `batch / concurrency` calls. @default 1 */
  readonly concurrency?: number;
}

/**
 * Measures each named operation for `batch` calls per round, the variants one after another in
 * an order rotating round by round, after one round that is not counted. Rounds of a few
 * milliseconds each: load from other processes comes and goes on that scale, so neighbouring
 * batches of ours and of the baseline share it, and the median of many round ratios stays put
 * where rounds of a second (mitata's) are each skewed by whatever ran during them.
 */
export async function alternatingBatches<K extends string>(
  variants: Readonly<Record<K, Operation>>,
  options: BatchOptions,
): Promise<Record<K, VariantResult> & { perRound: Record<K, number>[] }> {
  const names = Object.keys(variants) as K[];
  const chains = Math.max(1, options.concurrency ?? 1);
  const perChain = Math.max(1, Math.ceil(options.batch / chains));
  const perRound: Record<K, number>[] = [];
  for (let round = -1; round < options.rounds; round++) {
    const row = {} as Record<K, number>;
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round + names.length) % names.length] as K;
      const run = variants[name];
      const chain = async () => {
        for (let call = 0; call < perChain; call++) await run();
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: chains }, chain));
      row[name] = (chains * perChain * 1000) / (performance.now() - started);
    }
    if (round >= 0) perRound.push(row);
  }
  return byVariant(names, perRound);
}

/** Median over rounds of the extra microseconds per operation of `candidate` over `baseline`. */
export function medianExtraMicros(
  perRound: readonly Record<string, number>[],
  candidate: string,
  baseline: string,
): number {
  return median(
    perRound.map((row) => 1e6 / (row[candidate] as number) - 1e6 / (row[baseline] as number)),
  );
}

/** Median over rounds of `candidate / baseline` throughput: 1.0 means no overhead. */
export function medianRatio(
  perRound: readonly Record<string, number>[],
  candidate: string,
  baseline: string,
): number {
  return median(roundRatios(perRound, candidate, baseline));
}

/** Each round's `candidate / baseline` throughput. */
function roundRatios(
  perRound: readonly Record<string, number>[],
  candidate: string,
  baseline: string,
): number[] {
  return perRound.map((row) => (row[candidate] as number) / (row[baseline] as number));
}

/**
 * The interquartile range over rounds of `candidate / baseline` throughput: how far the round
 * ratios scatter around {@link medianRatio} (a rerun's median moves by much less than this).
 */
export function ratioSpread(
  perRound: readonly Record<string, number>[],
  candidate: string,
  baseline: string,
): number {
  const ratios = roundRatios(perRound, candidate, baseline).sort((a, b) => a - b);
  if (ratios.length === 0) return Number.NaN;
  const at = (q: number) =>
    ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))] as number;
  return at(0.75) - at(0.25);
}
