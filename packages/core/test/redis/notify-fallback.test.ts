/**
 * A Redis subscription that is never confirmed, or dropped once confirmed (docs/locks.md,
 * "Fallback"): the waiter polls as if there were no notifications and still gets the token
 * within its bound: the subscription's bound (the store's command timeout, which `watch` waits
 * for a confirmation) plus one pause of its lock-wait policy.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { bunRedisClient } from "../../src/bun/bun-redis.ts";
import {
  createEnvConfig,
  createTokenManager,
  type RedisLike,
  RedisTokenStore,
  type TokenManager,
} from "../fixtures/internal-api.ts";
import { REDIS_SERVER, startRedis, stopAllRedis, type TestRedis } from "./redis-server.ts";

setDefaultTimeout(30_000);

/** How long `watch` waits for SUBSCRIBE to be confirmed (the store's command timeout). */
const SUBSCRIBE_BOUND_MS = 1_000;
/** Pauses of 50 to 150 ms, and the channel watched from the first one. */
const LOCK_WAIT = { initialPollMs: 100, maxPollMs: 100, giveUpMs: 30_000 };
/** The longest pause of LOCK_WAIT (x1.5 jitter), and room for a loaded machine. */
const ONE_PAUSE_MS = 150;
const SLACK_MS = 1_000;

const proxies = new Set<{ stop(closeActive?: boolean): void }>();
afterEach(async () => {
  for (const proxy of proxies) proxy.stop(true);
  proxies.clear();
  await stopAllRedis();
});

/**
 * A proxy to `redis` that passes every command but SUBSCRIBE, which it swallows: a server that
 * never confirms a subscription. `open` counts the connections it holds (0 once the clients
 * closed them all).
 */
function unconfirmingProxy(redis: TestRedis) {
  const state = { subscribes: 0, open: 0 };
  type Link = { upstream?: Bun.Socket<undefined>; queued: Uint8Array[] };
  const proxy = Bun.listen<Link>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        state.open++;
        client.data = { queued: [] };
        const upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port: redis.port,
          socket: {
            data: (_, bytes) => void client.write(bytes),
            close: () => void client.end(),
          },
        });
        client.data.upstream = upstream;
        for (const bytes of client.data.queued) upstream.write(bytes);
      },
      data(client, bytes) {
        if (new TextDecoder().decode(bytes).toUpperCase().includes("SUBSCRIBE")) {
          state.subscribes++;
          return;
        }
        if (client.data.upstream) client.data.upstream.write(bytes);
        else client.data.queued.push(bytes);
      },
      close(client) {
        state.open--;
        client.data.upstream?.end();
      },
    },
  });
  proxies.add(proxy);
  return { url: `redis://127.0.0.1:${proxy.port}`, state };
}

function manager(redis: RedisLike, clientKey: string): TokenManager {
  const config = createEnvConfig(
    { AUTH_BASE: "http://127.0.0.1:9", CLIENT_KEY: clientKey },
    { envFile: false },
  );
  const store = new RedisTokenStore(redis, {
    commandTimeoutMs: SUBSCRIBE_BOUND_MS,
    onWarning: () => {},
  });
  return createTokenManager({ config, store, onWarning: () => {}, lockWait: LOCK_WAIT });
}

/** Another process holds the lock of `m`'s key; its token is written `afterMs` from now. */
async function holderWritesAfter(redis: TestRedis, m: TokenManager, afterMs: number) {
  await redis.client.send("SET", [`openclaw:auth:lock:${m.key}`, "holder", "PX", "60000"]);
  await Bun.sleep(afterMs);
  const value = JSON.stringify({ access_token: "holders", expires_at: Date.now() / 1000 + 600 });
  await redis.client.send("SET", [`openclaw:auth:token:${m.key}`, value, "PX", "600000"]);
  return Date.now();
}

describe.skipIf(!REDIS_SERVER)("a Redis subscription that never serves the waiter", () => {
  test("never confirmed (SUBSCRIBE swallowed): the waiter polls and gets the token within the subscribe bound plus one pause, and the subscriber's connection is closed", async () => {
    const redis = await startRedis();
    const proxy = unconfirmingProxy(redis);
    const m = manager(bunRedisClient(proxy.url), "ck-unconfirmed-CANARY-3c");
    const started = Date.now();
    const waiting = m.getToken();
    // Written while the waiter still waits for the confirmation.
    await holderWritesAfter(redis, m, 300);
    expect((await waiting).accessToken).toBe("holders");
    const tookMs = Date.now() - started;
    expect(proxy.state.subscribes).toBe(1);
    expect(tookMs).toBeLessThan(SUBSCRIBE_BOUND_MS + ONE_PAUSE_MS + SLACK_MS);
    // The wait is over: of the unconfirmed subscription, no connection stays open.
    const deadline = Date.now() + 5_000;
    while (proxy.state.open > 1 && Date.now() < deadline) await Bun.sleep(20);
    // The one left is the store's command connection, idle.
    expect(proxy.state.open).toBe(1);
  });

  test("dropped by the server once confirmed (CLIENT KILL TYPE pubsub): the waiter polls and gets the token within one pause of its write", async () => {
    const redis = await startRedis();
    const m = manager(bunRedisClient(redis.url), "ck-dropped-CANARY-4d");
    await redis.client.send("SET", [`openclaw:auth:lock:${m.key}`, "holder", "PX", "60000"]);
    const waiting = m.getToken();
    // Subscribed once the first pause has begun; then the server drops the subscriber.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const channels = (await redis.client.send("PUBSUB", [
        "NUMSUB",
        `openclaw:auth:notify:${m.key}`,
      ])) as [string, number];
      if (Number(channels[1]) > 0) break;
      await Bun.sleep(10);
    }
    expect(Number(await redis.client.send("CLIENT", ["KILL", "TYPE", "pubsub"]))).toBe(1);
    const writtenAt = await holderWritesAfter(redis, m, 200);
    expect((await waiting).accessToken).toBe("holders");
    expect(Date.now() - writtenAt).toBeLessThan(ONE_PAUSE_MS + SLACK_MS);
  });
});
