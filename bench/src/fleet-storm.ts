/**
 * The fleet storm: "machines" (groups of processes, each group with its own cache dir) on one
 * redis-server, all cold and released together, against the naive port on the same machines
 * (no Redis, no lock: each process asks the gateway unless its machine's file is already there).
 */
import { RedisClient } from "bun";
import type { StormComparison, StormEnv } from "./storms.ts";
import { compareStorms, counted, spawnStorm, variantClient } from "./storms.ts";

export interface FleetShape {
  readonly machines: number;
  readonly processesPerMachine: number;
}

/** A private redis-server on a free loopback port, no persistence; undefined without the binary. */
export interface BenchRedis {
  readonly url: string;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis | undefined> {
  const binary = process.env.REDIS_SERVER || Bun.which("redis-server");
  if (!binary) return undefined;
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const proc = Bun.spawn(
    [binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new RedisClient(url, { connectionTimeout: 1000, autoReconnect: true });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.send("PING", []);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`redis-server did not start: ${(error as Error).message}`);
      }
      await Bun.sleep(50);
    }
  }
  return {
    url,
    flush: async () => {
      await client.send("FLUSHALL", []);
    },
    stop: async () => {
      client.close();
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/**
 * `rounds` fleet storms: `shape.machines` x `shape.processesPerMachine` processes, cold, each
 * machine on a new cache dir of its own; the runtime's on `redis` (flushed before each storm),
 * the naive port's with no Redis.
 */
export function fleetStormsVsNaive(
  env: StormEnv,
  shape: FleetShape,
  redis: BenchRedis,
  rounds: number,
): Promise<StormComparison> {
  return compareStorms(rounds, async (variant) => {
    const { client, env: extra } = variantClient(variant);
    const dirs = Array.from({ length: shape.machines }, () => env.newCacheDir());
    await redis.flush();
    return counted(env, () =>
      spawnStorm(client, shape.machines * shape.processesPerMachine, dirs[0] ?? "", (index) => ({
        CLIENT_KEY: env.clientKey,
        AUTH_BASE: env.gateway.url,
        AUTH_CACHE_DIR: dirs[index % shape.machines] ?? "",
        ...(variant === "naive" ? {} : { AUTH_REDIS_URL: redis.url }),
        ...extra,
      })),
    );
  });
}
