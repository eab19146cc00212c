/**
 * Bun and Node processes share one cache: a token either runtime cached is served by the other
 * with no token request, and they share one token request when they start together.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BUN, BUN_CLIENT, lastJsonLine, NODE_CLIENT, run, startGateway } from "./support.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
type Runtime = "bun" | "node";

/** A gateway and a cold cache dir, both gone afterwards. */
async function withSetup(
  fn: (setup: {
    client: (runtime: Runtime, command?: string) => Promise<Record<string, unknown>>;
    tokensIssued: () => Promise<number>;
    setLatency: (ms: number) => Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway({ clientKeys: [CLIENT_KEY] });
  const dir = await mkdtemp(join(tmpdir(), "openclaw-interop-"));
  try {
    const env = { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: join(dir, "cache") };
    await fn({
      client: async (runtime, command = "token") => {
        const [program, script] =
          runtime === "bun" ? [BUN, BUN_CLIENT] : [process.execPath, NODE_CLIENT];
        const child = await run(program, [script, command], { env });
        assert.equal(child.code, 0, `${runtime} client: ${child.stdout}${child.stderr}`);
        assert.ok(!`${child.stdout}${child.stderr}`.includes(CLIENT_KEY));
        return lastJsonLine(child.stdout);
      },
      tokensIssued: async () => (await gateway.stats()).tokensIssued,
      setLatency: (ms) => gateway.setFaults([{ kind: "latency", ms, route: "/auth/session" }]),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await gateway.stop();
  }
}

const pairs: [Runtime, Runtime][] = [
  ["bun", "node"],
  ["node", "bun"],
];

describe("cache interop between Bun and Node", () => {
  for (const [writer, reader] of pairs) {
    test(`a token cached by a ${writer} process is served to a ${reader} process with no token request`, async () => {
      await withSetup(async ({ client, tokensIssued }) => {
        const first = await client(writer);
        assert.equal(first.source, "network");
        assert.equal(await tokensIssued(), 1);
        const second = await client(reader);
        assert.deepEqual(second, { token: first.token, source: "cache" });
        assert.equal(await tokensIssued(), 1);
      });
    });

    test(`a refresh by a ${writer} process is the token a ${reader} process serves next`, async () => {
      await withSetup(async ({ client, tokensIssued }) => {
        const old = await client(reader);
        const refreshed = await client(writer, "refresh");
        assert.notEqual(refreshed.token, old.token);
        assert.deepEqual(await client(reader), { token: refreshed.token, source: "cache" });
        assert.equal(await tokensIssued(), 2);
      });
    });
  }

  test("Bun and Node processes starting together on a cold cache make one token request", async () => {
    await withSetup(async ({ client, tokensIssued, setLatency }) => {
      await setLatency(300);
      const runtimes: Runtime[] = ["bun", "node", "bun", "node", "bun", "node"];
      const results = await Promise.all(runtimes.map((runtime) => client(runtime)));
      assert.equal(new Set(results.map((result) => result.token)).size, 1);
      assert.equal(results.filter((result) => result.source === "network").length, 1);
      assert.equal(await tokensIssued(), 1);
    });
  });
});
