/** Hostile files: locks from the future, huge cache files, temp files left by failed or killed writes. */
import type { Harness } from "../harness.ts";

export function hostileFilesSuite(h: Harness): void {
  h.t.describe("hostile files", () => {});
}
