/**
 * StrykerJS over one area of the trust surface (mutation/areas.mjs), named by MUTATE_AREA;
 * `bun run mutate [area ...]` (scripts/mutate.ts) sets it and runs the areas in turn, each in
 * its own package dir (the CLI's area in apps/cli).
 */
import { fileURLToPath } from "node:url";
import { AREAS } from "./mutation/areas.mjs";

/** Paths of this package's mutation folder, absolute: an area may run in another package. */
const mutation = (file) => fileURLToPath(new URL(`./mutation/${file}`, import.meta.url));

const name = process.env.MUTATE_AREA ?? "";
const area = AREAS[name];
if (!area) {
  throw new Error(`MUTATE_AREA must be one of: ${Object.keys(AREAS).join(", ")} (got "${name}")`);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "command",
  // MUTATE_STAGE=quick (set by scripts/mutate.ts): the area's unit tests only; a survivor is
  // then tested again with the whole command.
  commandRunner: {
    command: process.env.MUTATE_STAGE === "quick" && area.quick ? area.quick : area.command,
  },
  // Instrumented where they are (the tests import the sources by path), restored at the end:
  // edit nothing under src/ while a run is going.
  inPlace: true,
  mutate: area.mutate,
  // Each area keeps its last results in the repository: a rerun tests only what changed.
  incremental: true,
  incrementalFile: mutation(`${name}.incremental.json`),
  plugins: [mutation("equivalent-mutants.mjs")],
  ignorers: ["equivalent-mutants"],
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  concurrency: 2,
  timeoutMS: 60000,
  cleanTempDir: "always",
  disableTypeChecks: false,
};
