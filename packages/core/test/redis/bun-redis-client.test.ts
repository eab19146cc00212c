/**
 * bunRedisClient, the Bun Redis client adapter: one client per URL, a bounded connect, server
 * errors without the URL's password, subscriptions on a connection of their own that close when
 * abandoned. Against a real redis-server, and a fake one that echoes the URL back in its errors.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

setDefaultTimeout(30_000);

const listeners = new Set<{ stop(closeActive?: boolean): void }>();
afterEach(async () => {
  for (const listener of listeners) listener.stop(true);
  listeners.clear();
  await stopAllRedis();
});

/**
 * A server that accepts the handshake and answers every command with an error reply quoting
 * `echo()`: a hostile or misconfigured server that puts the URL in its errors.
 */
function echoingServer(echo: () => string): number {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, bytes) {
        const text = bytes.toString();
        socket.write(text.includes("HELLO") ? "%1\r\n+proto\r\n:3\r\n" : `-ERR ${echo()}\r\n`);
      },
    },
  });
  listeners.add(listener);
  return listener.port;
}

/** A server that accepts connections and never answers. */
function silentServer(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  listeners.add(listener);
  return listener.port;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error & { code?: unknown },
  );

/** Subscriber connections the server holds (CLIENT LIST, flags containing P). */
async function subscribers(redis: TestRedis): Promise<number> {
  const list = (await redis.client.send("CLIENT", ["LIST"])) as string;
  return list.split("\n").filter((line) => /\bflags=\S*P/.test(line)).length;
}

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await Bun.sleep(20);
  }
}

describe("bunRedisClient against a server that echoes the URL in its errors", () => {
  test("an error reply never carries the password, raw or percent-decoded; the error keeps its code", async () => {
    let url = "";
    const port = echoingServer(() => `you used ${url} (password p@ss/w0rd-SECRET)`);
    url = `redis://user:p%40ss%2Fw0rd-SECRET@127.0.0.1:${port}`;
    const error = await failure(bunRedisClient(url).send("PING", []));
    expect(error.message).toStartWith("ERR you used ");
    expect(error.message).not.toContain("SECRET");
    expect(error.code).toBe("ERR_REDIS_SERVER_ERROR");
  });

  test("a password that is no valid percent-encoding: the whole URL is redacted from an error reply", async () => {
    let url = "";
    const port = echoingServer(() => `you used ${url}`);
    url = `redis://user:%zz-SECRET-pass@127.0.0.1:${port}`;
    const error = await failure(bunRedisClient(url).send("PING", []));
    expect(error.message).toStartWith("ERR you used ");
    expect(error.message).not.toContain("SECRET");
  });

  test("a password of three characters or fewer is too short to redact: the reply comes through whole", async () => {
    const port = echoingServer(() => "abcdef rejected");
    const error = await failure(bunRedisClient(`redis://:abc@127.0.0.1:${port}`).send("PING", []));
    expect(error.message).toBe("ERR abcdef rejected");
  });
});

describe("bunRedisClient's connection", () => {
  test("one client per URL in the process", () => {
    const url = `redis://127.0.0.1:${silentServer()}/3`;
    expect(bunRedisClient(url)).toBe(bunRedisClient(url));
  });

  test("a server that never answers the handshake: a command fails within the 500 ms connect bound", async () => {
    const client = bunRedisClient(`redis://127.0.0.1:${silentServer()}`);
    const started = Date.now();
    const error = await failure(client.send("PING", []));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.code).toBe("ERR_REDIS_CONNECTION_CLOSED");
  });

  test("a subscription to a server that never answers fails within the same 500 ms bound", async () => {
    const client = bunRedisClient(`redis://127.0.0.1:${silentServer()}/10`);
    const started = Date.now();
    await failure(client.subscribe?.("chan", () => {}) ?? Promise.resolve());
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test("the connect bound can be set", async () => {
    const client = bunRedisClient(`redis://127.0.0.1:${silentServer()}/1`, {
      connectTimeoutMs: 1_500,
    });
    const started = Date.now();
    await failure(client.send("PING", []));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  test("reset before any command is harmless", () => {
    const fresh = bunRedisClient(`redis://127.0.0.1:${silentServer()}/2`);
    expect(() => fresh.reset?.()).not.toThrow();
  });
});

describe.skipIf(!REDIS_SERVER)("bunRedisClient against a real redis-server", () => {
  test("reset drops a connection whose reply never comes: the command rejects at once", async () => {
    const redis = await startRedis();
    const client = bunRedisClient(`${redis.url}/4`);
    expect(await client.send("PING", [])).toBe("PONG");
    redis.pause();
    try {
      const pending = failure(client.send("PING", []));
      await Bun.sleep(50);
      const started = Date.now();
      client.reset?.();
      await pending;
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      redis.resume();
    }
    // The next command connects again.
    expect(await client.send("PING", [])).toBe("PONG");
  });

  test("a server that dies: the next command fails at once, with no reconnect loop to wait for", async () => {
    const redis = await startRedis();
    const client = bunRedisClient(`${redis.url}/9`);
    expect(await client.send("PING", [])).toBe("PONG");
    await redis.kill();
    const started = Date.now();
    await failure(client.send("PING", []));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a subscription gets the channel's messages until closed, and closing it ends its connection", async () => {
    const redis = await startRedis();
    const client = bunRedisClient(`${redis.url}/5`);
    let messages = 0;
    const close = await client.subscribe?.("chan", () => messages++);
    expect(close).toBeTypeOf("function");
    expect(await subscribers(redis)).toBe(1);
    await redis.client.send("PUBLISH", ["chan", "token"]);
    await eventually(async () => messages === 1, "a message");
    close?.();
    await eventually(async () => (await subscribers(redis)) === 0, "the connection closed");
  });

  test("aborting the signal after the subscription is confirmed does not end it", async () => {
    const redis = await startRedis();
    const client = bunRedisClient(`${redis.url}/6`);
    const abandon = new AbortController();
    let messages = 0;
    const close = await client.subscribe?.("chan", () => messages++, abandon.signal);
    abandon.abort();
    await redis.client.send("PUBLISH", ["chan", "token"]);
    await eventually(async () => messages === 1, "a message after the abort");
    expect(await subscribers(redis)).toBe(1);
    close?.();
  });

  test("an already abandoned subscription fails without connecting", async () => {
    const redis = await startRedis();
    const before = (await redis.client.send("INFO", ["stats"])) as string;
    const connections = (info: string) =>
      Number(/total_connections_received:(\d+)/.exec(info)?.[1]);
    const client = bunRedisClient(`${redis.url}/7`);
    const error = await failure(
      client.subscribe?.("chan", () => {}, AbortSignal.abort()) ?? Promise.resolve(),
    );
    expect(error.message).toBe("subscription abandoned");
    const after = (await redis.client.send("INFO", ["stats"])) as string;
    expect(connections(after)).toBe(connections(before));
  });

  test("a subscription to a server that is gone fails, without the URL's password", async () => {
    const redis = await startRedis();
    const url = `redis://:pw-SECRET-77@127.0.0.1:${redis.port}/8`;
    await redis.kill();
    const error = await failure(
      bunRedisClient(url).subscribe?.("chan", () => {}) ?? Promise.resolve(),
    );
    expect(error.message).not.toContain("pw-SECRET-77");
  });
});
