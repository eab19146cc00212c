/**
 * The fleet cache on Node against a real redis-server and a hostile co-tenant: the same store
 * as on Bun, reached through a RedisLike (here a minimal RESP client, counting what it
 * receives, in place of node-redis or ioredis). An entry over 64 KiB is never fetched, and an
 * entry that claims to expire never is replaced by the next write.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { type RedisLike, RedisTokenStore } from "@openclaw/auth-runtime-node/adapter";

const REDIS_SERVER =
  process.env.REDIS_SERVER ||
  (spawnSync("sh", ["-c", "command -v redis-server"]).stdout?.toString().trim() ?? "");

const KEY = "0123456789abcdef0123456789abcdef";
const TOKEN_KEY = `openclaw:auth:token:${KEY}`;

type Reply = string | number | null | Error | Reply[];

/** A RESP2 client on one connection, one command at a time; `received` counts bytes read. */
class RespClient implements RedisLike {
  received = 0;
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: ((reply: Reply) => void)[] = [];
  #chain: Promise<unknown> = Promise.resolve();

  constructor(port: number) {
    this.#socket = connect(port, "127.0.0.1");
    this.#socket.on("error", (error) => {
      for (const waiter of this.#waiting.splice(0)) waiter(error);
    });
    this.#socket.on("data", (chunk) => {
      this.received += chunk.length;
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const parsed = parse(this.#buffer, 0);
        if (!parsed) break;
        this.#buffer = this.#buffer.subarray(parsed.end);
        this.#waiting.shift()?.(parsed.reply);
      }
    });
  }

  send(command: string, args: string[]): Promise<unknown> {
    const run = this.#chain.then(
      () =>
        new Promise<unknown>((resolve, reject) => {
          this.#waiting.push((reply) => (reply instanceof Error ? reject(reply) : resolve(reply)));
          const parts = [command, ...args];
          let frame = `*${parts.length}\r\n`;
          for (const part of parts) frame += `$${Buffer.byteLength(part)}\r\n${part}\r\n`;
          this.#socket.write(frame);
        }),
    );
    this.#chain = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** One reply from `buffer` at `at`, or undefined when it is not all there yet. */
function parse(buffer: Buffer, at: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", at);
  if (lineEnd < 0) return undefined;
  const line = buffer.toString("utf8", at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[at] as number)) {
    case "+":
      return { reply: line, end: next };
    case "-":
      return { reply: new Error(line), end: next };
    case ":":
      return { reply: Number(line), end: next };
    case "$": {
      const size = Number(line);
      if (size < 0) return { reply: null, end: next };
      if (buffer.length < next + size + 2) return undefined;
      return { reply: buffer.toString("utf8", next, next + size), end: next + size + 2 };
    }
    default: {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("RedisTokenStore on Node, a hostile co-tenant's entries", { skip: !REDIS_SERVER }, () => {
  let server: ChildProcess;
  let admin: RespClient;
  let port: number;

  before(async () => {
    port = await freePort();
    server = spawn(
      REDIS_SERVER,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        admin = new RespClient(port);
        await new Promise((resolve, reject) => {
          admin.send("PING", []).then(resolve, reject);
          setTimeout(() => reject(new Error("no PONG")), 500);
        });
        break;
      } catch (error) {
        admin.close();
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  after(() => {
    admin?.close();
    server?.kill("SIGKILL");
  });

  const token = (accessToken: string) => ({
    accessToken,
    expiresAt: Date.now() / 1000 + 600,
    expiresIn: 600,
  });

  test("a 128 MiB entry is never fetched: a read and a write receive less than 256 KiB", async () => {
    await admin.send("SET", [TOKEN_KEY, '{"access_token":"planted","expires_at":1e12,"p":"']);
    await admin.send("SETRANGE", [TOKEN_KEY, String(128 * 2 ** 20 - 2), '"}']);
    const client = new RespClient(port);
    try {
      const store = new RedisTokenStore(client, { commandTimeoutMs: 10_000, onWarning() {} });
      assert.equal(await store.get(KEY), undefined);
      await store.set(KEY, token("ours"));
      assert.ok(client.received < 256 * 1024, `${client.received} bytes received`);
      assert.equal((await store.get(KEY))?.accessToken, "ours");
    } finally {
      client.close();
    }
  });

  test("an entry whose expires_at is 1e999, with no TTL, is never served and is replaced by the next write", async () => {
    await admin.send("SET", [TOKEN_KEY, '{"access_token":"planted","expires_at":1e999}']);
    const client = new RespClient(port);
    try {
      const store = new RedisTokenStore(client, { commandTimeoutMs: 10_000, onWarning() {} });
      assert.equal(await store.get(KEY), undefined);
      await store.set(KEY, token("ours"));
      assert.equal((await store.get(KEY))?.accessToken, "ours");
      const pttl = (await admin.send("PTTL", [TOKEN_KEY])) as number;
      assert.ok(pttl > 0 && pttl <= 600_000, `PTTL ${pttl}`);
    } finally {
      client.close();
    }
  });
});
