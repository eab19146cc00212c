/** A hostile API: redirects, compression bombs, bad headers, names that only look like loopback. */
import type { Harness } from "../harness.ts";

export function hostileApiSuite(h: Harness): void {
  h.t.describe("hostile api", () => {});
}
