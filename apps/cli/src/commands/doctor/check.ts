/** One line of `doctor`'s report: which check, its level, what it found. */
import type { ExitCode } from "../../output.ts";

export type Level = "ok" | "warn" | "fail" | "skip";

export interface Check {
  readonly check: "config" | "cache dir" | "gateway";
  readonly level: Level;
  readonly message: string;
  /** The exit code when this check fails (not printed). */
  readonly exitCode?: ExitCode;
}
