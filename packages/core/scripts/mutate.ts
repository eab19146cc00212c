/**
 * `bun run mutate [area ...]`: StrykerJS over the named areas of the trust surface
 * (mutation/areas.mjs), all of them when none is named, one after another; then one line per
 * area and file with its mutation score, from the areas' JSON reports.
 */
import { AREAS } from "../mutation/areas.mjs";

const PACKAGE_DIR = new URL("..", import.meta.url).pathname;
const names = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const passThrough = process.argv.slice(2).filter((arg) => arg.startsWith("-"));
for (const name of names) {
  if (!(name in AREAS)) {
    console.error(`unknown area "${name}": one of ${Object.keys(AREAS).join(", ")}`);
    process.exit(2);
  }
}
const areas = names.length > 0 ? names : Object.keys(AREAS);

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

/** Stryker's score: detected (killed, timed out) over valid mutants (not ignored, no errors). */
function score(mutants: { status: string }[]) {
  const counted = mutants.filter(
    (m) => !["Ignored", "CompileError", "RuntimeError"].includes(m.status),
  );
  const detected = counted.filter((m) => m.status === "Killed" || m.status === "Timeout");
  return { detected: detected.length, valid: counted.length };
}

const percent = ({ detected, valid }: { detected: number; valid: number }) =>
  valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(2)}%`;

/** The files `--mutate=a,b` narrows the run to (globs), or every file of the area. */
const narrowedTo = passThrough
  .filter((flag) => flag.startsWith("--mutate="))
  .flatMap((flag) => flag.slice("--mutate=".length).split(","))
  .map((glob) => new Bun.Glob(glob));
const inThisRun = (path: string) =>
  narrowedTo.length === 0 || narrowedTo.some((glob) => glob.match(path));

/**
 * Drops the mutants an area's last run did not detect from its incremental file, so that this
 * run tests them again. The command runner reports no coverage, so Stryker cannot see that a
 * test was added and would carry a survivor over as it is; a killed mutant stays killed when
 * tests are only added, and is reused. (`--force` tests everything.)
 */
async function retestUndetected(file: string) {
  const incremental = Bun.file(file);
  if (!(await incremental.exists())) return;
  const report = (await incremental.json()) as Report;
  for (const [path, entry] of Object.entries(report.files)) {
    // A run narrowed by `--mutate=` tests only its files: another file's survivors are kept,
    // or they would look killed in this run's report until the next whole-area run.
    if (!inThisRun(path)) continue;
    entry.mutants = entry.mutants.filter((m) => m.status === "Killed" || m.status === "Timeout");
  }
  await Bun.write(file, `${JSON.stringify(report, null, 2)}\n`);
}

let failed = false;
const lines: string[] = [];
const total = { detected: 0, valid: 0 };
for (const area of areas) {
  const started = Date.now();
  const dir = new URL(`${AREAS[area]?.dir ?? "."}/`, `file://${PACKAGE_DIR}`).pathname;
  const incremental = `${PACKAGE_DIR}mutation/${area}.incremental.json`;
  // The quick stage (the area's unit tests) kills most mutants in a second or two; the full
  // stage then runs the area's whole command only on what the quick one left alive.
  const stages = AREAS[area]?.quick ? ["quick", "full"] : ["full"];
  for (const [index, stage] of stages.entries()) {
    if (index > 0 || !passThrough.includes("--force")) await retestUndetected(incremental);
    const flags = index > 0 ? passThrough.filter((flag) => flag !== "--force") : passThrough;
    const stryker = `${PACKAGE_DIR}node_modules/.bin/stryker`;
    const child = Bun.spawn([stryker, "run", `${PACKAGE_DIR}stryker.config.mjs`, ...flags], {
      cwd: dir,
      env: { ...process.env, MUTATE_AREA: area, MUTATE_STAGE: stage },
      stdio: ["inherit", "inherit", "inherit"],
    });
    if ((await child.exited) !== 0) failed = true;
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const file = Bun.file(`${dir}reports/mutation/${area}.json`);
  if (!(await file.exists())) continue;
  const report = (await file.json()) as Report;
  const all = Object.values(report.files).flatMap((f) => f.mutants);
  const areaScore = score(all);
  total.detected += areaScore.detected;
  total.valid += areaScore.valid;
  lines.push(
    `${area}: ${percent(areaScore)} (${areaScore.detected}/${areaScore.valid}, ${minutes} min)`,
  );
  for (const [path, { mutants }] of Object.entries(report.files)) {
    lines.push(`  ${path}: ${percent(score(mutants))}`);
  }
}
console.log(`\nmutation score by area\n${lines.join("\n")}\nall areas run: ${percent(total)}`);
process.exit(failed ? 1 : 0);
