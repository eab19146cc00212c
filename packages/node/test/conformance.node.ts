/**
 * The shared conformance suite (packages/conformance) under `node --test`, against the built
 * @openclaw/auth-runtime-node, with the dev gateway in a child bun process.
 */
import { describe, test } from "node:test";
import * as api from "@openclaw/auth-runtime-node";
import { type ClientRun, defineConformanceSuite } from "../../conformance/src/index.ts";
import { NODE_CLIENT, run, startGateway } from "./support.ts";

function runClients(
  count: number,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ClientRun[]> {
  return Promise.all(
    Array.from({ length: count }, () => run(process.execPath, [NODE_CLIENT, ...args], { env })),
  );
}

defineConformanceSuite({
  runtime: "node",
  api,
  t: {
    describe: (name, fn) => {
      describe(name, fn);
    },
    test: (name, fn, timeoutMs) => {
      test(name, { timeout: timeoutMs ?? 30_000 }, fn);
    },
  },
  startGateway,
  runClients,
});
