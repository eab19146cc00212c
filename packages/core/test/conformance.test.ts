/** The shared conformance suite (packages/conformance) run on Bun against the in-process dev gateway. */
import { describe, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { type DevGatewayOptions, startDevGateway } from "@openclaw/dev-gateway";
// By path, not as a dependency: the suite depends on this package (for types), and turbo
// refuses a dependency cycle.
import {
  type ClientRun,
  defineConformanceSuite,
  type GatewayControl,
} from "../../conformance/src/index.ts";
import { baseEnv } from "../../conformance/src/support.ts";
import * as api from "../src/index.ts";

const CLIENT_SCRIPT = fileURLToPath(new URL("./fixtures/client.ts", import.meta.url));

async function startGateway(options?: DevGatewayOptions): Promise<GatewayControl> {
  const gateway = startDevGateway(options);
  return {
    url: gateway.url,
    stats: async () => gateway.stats(),
    resetStats: async () => gateway.resetStats(),
    setFaults: async (faults) => gateway.setFaults(faults),
    revokeAll: async () => gateway.revokeAll(),
    stop: () => gateway.stop(),
  };
}

async function runClients(
  count: number,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ClientRun[]> {
  const children = Array.from({ length: count }, () =>
    Bun.spawn([process.execPath, CLIENT_SCRIPT, ...args], {
      env: { ...baseEnv(), ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
  return Promise.all(
    children.map(async (child) => {
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      return { code, stdout, stderr };
    }),
  );
}

defineConformanceSuite({
  runtime: "bun",
  api,
  t: { describe, test: (name, fn, timeoutMs) => test(name, fn, timeoutMs) },
  startGateway,
  runClients,
});
