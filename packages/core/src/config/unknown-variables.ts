/**
 * Variables of the configuration's families (`AUTH_*`, `CLIENT_*`) that its table does not have
 * (issue 28). Most are typos: `AUTH_BSAE=http://127.0.0.1:8787` would otherwise be ignored in
 * silence and the key sent to the default gateway. config.ts asks for the warning of each config
 * it reads from the environment; the runtime says it once per process (see {@link firstTime}).
 * The warning names variables and where they were set, never a value. docs/configuration.md.
 */

import type { Layer } from "./env-layers.ts";
import { isConfigFamilyName } from "./rules.ts";

/**
 * The one warning about the variables of `layers` that look like settings but are not in
 * `known` (the table's names), each with where it was set and the nearest name of the table;
 * undefined when there is none. A blank value counts as unset, as everywhere else.
 *
 * @example
 * unknownVariablesWarning(layers, ["AUTH_BASE", "CLIENT_KEY"]);
 * // "ignoring unknown variables: AUTH_BSAE in the environment (did you mean AUTH_BASE?)"
 */
export function unknownVariablesWarning(
  layers: readonly Layer[],
  known: readonly string[],
): string | undefined {
  const knownSet = new Set(known);
  const where = new Map<string, string[]>();
  for (const layer of layers) {
    for (const name in layer.env) {
      if (knownSet.has(name) || !isConfigFamilyName(name) || !layer.env[name]?.trim()) continue;
      const labels = where.get(name) ?? [];
      labels.push(layer.label);
      where.set(name, labels);
    }
  }
  if (where.size === 0) return undefined;
  const items = [...where].map(([name, labels]) => {
    const near = nearestName(name, known);
    const hint = near === undefined ? "not a setting" : `did you mean ${near}?`;
    return `${name} in ${labels.join(" and ")} (${hint})`;
  });
  const noun = items.length === 1 ? "variable" : "variables";
  return `ignoring unknown ${noun}: ${items.join(", ")}; the settings are listed in docs/configuration.md`;
}

/**
 * The name of `known` closest to `name` (any case) by edit distance, when it is close enough to
 * be the one meant: at most a third of its length (and at least 2) edits away, or `name` a prefix
 * of it (`AUTH_CACHE` for `AUTH_CACHE_DIR`). Ties go to the earlier name (the table's order).
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toUpperCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const prefix = candidate.startsWith(wanted) && wanted.length * 2 >= candidate.length;
    const distance = prefix ? 0 : editDistance(wanted, candidate);
    const bound = Math.max(2, Math.ceil(candidate.length / 3));
    if (distance <= bound && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: the optimal string
 * alignment distance, so the commonest typo, two letters swapped (`BSAE`), counts as one.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: two back (for a swap), the previous, the current.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] as number) + 1);
      }
      current.push(value);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/** The warnings already given in this process. */
const given = new Set<string>();

/**
 * True the first time this process asks about `warning`, false after: a config is read again
 * and again (every short-lived helper, every `createEnvConfig`), its warning is said once.
 */
export function firstTime(warning: string): boolean {
  if (given.has(warning)) return false;
  given.add(warning);
  return true;
}
