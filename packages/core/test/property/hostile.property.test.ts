/**
 * Property-based runs of hostile token, discovery and API answers, and hostile cache, lock and
 * Redis states, against the public API on Bun. The definitions are in properties.ts (shared with
 * packages/node); the run counts, seed and replay are in settings.ts:
 *
 *   bun test test/property                                   the fixed-seed, bounded runs
 *   FC_RUNS=1000 bun test test/property                      a long run (or `bun run fuzz`, ~15 min)
 *   FC_SEED=<seed> FC_PATH=<path> bun test test/property     replays a printed counterexample
 */
import { afterAll, test } from "bun:test";
import * as api from "../../src/index.ts";
import { REDIS_SERVER, startRedis, type TestRedis } from "../redis/redis-server.ts";
import { defineHostileProperties } from "./properties.ts";

const started: TestRedis[] = [];

afterAll(async () => {
  for (const redis of started) await redis.kill();
});

defineHostileProperties({
  runtime: "bun",
  api,
  test: (name, fn, timeoutMs) => test(name, fn, timeoutMs),
  knownHole: (name, fn, timeoutMs) => test.failing(name, fn, timeoutMs),
  redis: REDIS_SERVER
    ? async () => {
        const redis = await startRedis();
        started.push(redis);
        return { url: redis.url, send: (command, args) => redis.client.send(command, args) };
      }
    : undefined,
});
