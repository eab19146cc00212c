/**
 * Running the CLI where file modes bind it, whoever runs the tests. Root ignores modes (a dir of
 * mode 0500 is writable to it), so as root the CLI runs under util-linux `setpriv` without
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, still root and still the owner of the test's files,
 * as packages/core/test/fixtures/another-user.ts does for its tests; any other user runs it as it is.
 */
import { CLI_DIR } from "./helpers.ts";

const isRoot = process.getuid?.() === 0;

/** The command prefix for `Fixture.run`'s `cmd`: the CLI, bound by file modes. */
export const CLI_BOUND_BY_MODES: readonly string[] = isRoot
  ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", process.execPath, CLI_DIR]
  : [process.execPath, CLI_DIR];
