/** What a runtime gives the property definitions: its API, its test runner, its Redis if any. */
import { createHash } from "node:crypto";
import type * as RuntimeModule from "../../src/index.ts";

export type RuntimeApi = typeof RuntimeModule;

export interface RedisHandle {
  readonly url: string;
  /** Sends a command to the server (SET, GET, SCAN…), as the store's own client would. */
  send(command: string, args: string[]): Promise<unknown>;
}

export interface PropertyHost {
  readonly runtime: "bun" | "node";
  readonly api: RuntimeApi;
  /** A test that must pass. */
  test(name: string, fn: () => Promise<void>, timeoutMs: number): void;
  /**
   * A test that finds a known hole of today's main: expected to fail until the fix is merged
   * (bun: test.failing, node: todo), so the suite says which holes are still open.
   */
  knownHole(name: string, fn: () => Promise<void>, timeoutMs: number): void;
  /** A real redis-server, when the runtime's Redis tests run (undefined: Redis cases skip). */
  readonly redis?: (() => Promise<RedisHandle>) | undefined;
}

/** The cache key of a session-grant config, as cache.ts defines it (for the Redis key). */
export function sessionCacheKey(authBase: string, clientKey: string): string {
  return createHash("sha256").update(`${authBase}\n${clientKey}`).digest("hex").slice(0, 32);
}
