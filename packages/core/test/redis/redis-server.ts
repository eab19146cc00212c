/**
 * Real redis-server instances for the tests: each on a free loopback port, no persistence,
 * spawned and killed by the test. `REDIS_SERVER` names the binary; else `redis-server` on PATH.
 * Without one, the Redis tests skip with {@link SKIP_MESSAGE}.
 */
import { RedisClient } from "bun";

export const REDIS_SERVER = process.env.REDIS_SERVER || Bun.which("redis-server") || undefined;

export const SKIP_MESSAGE =
  "SKIPPED: the Redis fleet cache tests need redis-server, which is not on PATH " +
  "(apt-get install redis-server, or set REDIS_SERVER=/path/to/redis-server)";

if (!REDIS_SERVER) console.warn(SKIP_MESSAGE);

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** A client of our own, for looking at what the store wrote. */
  readonly client: RedisClient;
  /** Every key (SCAN). */
  keys(): Promise<string[]>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: the server accepts connections but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

const running = new Set<{ proc: Bun.Subprocess; client: RedisClient }>();

async function freePort(): Promise<number> {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data() {} },
  });
  const { port } = listener;
  listener.stop(true);
  return port;
}

async function ready(client: RedisClient, proc: Bun.Subprocess, deadline: number) {
  while (Date.now() < deadline && proc.exitCode === null) {
    try {
      if (!client.connected) await client.connect();
      if ((await client.send("PING", [])) === "PONG") return true;
    } catch {}
    await Bun.sleep(25);
  }
  return false;
}

/** Starts a redis-server on a free loopback port; `args` are extra server options. */
export async function startRedis(args: string[] = []): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error(SKIP_MESSAGE);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = Bun.spawn(
      [
        REDIS_SERVER,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        ...args,
      ],
      { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    const url = `redis://127.0.0.1:${port}`;
    const client = new RedisClient(url, { connectionTimeout: 1000 });
    const entry = { proc, client };
    running.add(entry);
    if (await ready(client, proc, Date.now() + 10_000)) {
      return {
        url,
        port,
        pid: proc.pid,
        client,
        async keys() {
          const keys: string[] = [];
          let cursor = "0";
          do {
            const [next, batch] = (await client.send("SCAN", [cursor, "COUNT", "1000"])) as [
              string,
              string[],
            ];
            cursor = next;
            keys.push(...batch);
          } while (cursor !== "0");
          return keys;
        },
        async kill() {
          proc.kill("SIGKILL");
          await proc.exited;
        },
        pause: () => proc.kill("SIGSTOP"),
        resume: () => proc.kill("SIGCONT"),
      };
    }
    const output = await stop(entry);
    // Another process may have taken the port between our probe and the server's bind.
    if (attempt >= 3) throw new Error(`redis-server did not start: ${output.slice(-500)}`);
  }
}

async function stop(entry: { proc: Bun.Subprocess; client: RedisClient }): Promise<string> {
  running.delete(entry);
  entry.client.close();
  entry.proc.kill("SIGCONT");
  entry.proc.kill("SIGKILL");
  await entry.proc.exited;
  const stdout = entry.proc.stdout;
  return stdout instanceof ReadableStream ? new Response(stdout).text() : "";
}

/** Kills every server started here. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map(stop));
}
