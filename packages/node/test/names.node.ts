/** The conformance suite registers the same tests on Node as on Bun. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as api from "@openclaw/auth-runtime-node";
import { registeredTestNames } from "./suite-names.ts";
import { BUN, lastJsonLine, PACKAGE_DIR, run } from "./support.ts";

test("the conformance suite has the same test names on Node as on Bun", async () => {
  const bun = await run(BUN, [join(PACKAGE_DIR, "test/fixtures/bun-suite-names.ts")]);
  assert.equal(bun.code, 0, bun.stderr);
  const onBun = lastJsonLine(bun.stdout) as unknown as string[];
  const onNode = registeredTestNames(api, "node");
  assert.ok(onNode.length > 50, `only ${onNode.length} tests registered`);
  assert.deepEqual(onNode, onBun);
  assert.equal(new Set(onNode).size, onNode.length, "test names are unique");
});
