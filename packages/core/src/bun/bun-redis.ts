/** Bun's built-in Redis client as a {@link RedisLike}: connects on demand, never queues offline. */
import { RedisClient } from "bun";
import { redactSecrets } from "../errors/redact.ts";
import type { RedisLike } from "../stores/redis-token-store.ts";

export interface BunRedisOptions {
  /** Bound of connecting. @default 500 */
  readonly connectTimeoutMs?: number;
}

const shared = new Map<string, RedisLike>();

/** The user and password of `url`, to keep them out of error messages. */
function secretsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [url, parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length > 3);
  } catch {
    return [url];
  }
}

/**
 * A {@link RedisLike} over Bun's `RedisClient` for `url`, one per URL in the process.
 * It connects on first use and again after {@link RedisLike.reset}; commands sent while
 * disconnected fail at once (no offline queue), so the store's timeout and cool-down decide.
 * An idle connection does not keep the process alive.
 *
 * @example
 * const store = new RedisTokenStore(bunRedisClient("redis://10.0.0.5:6379"));
 */
export function bunRedisClient(url: string, options: BunRedisOptions = {}): RedisLike {
  const known = shared.get(url);
  if (known) return known;
  const secrets = secretsOf(url);
  let client: RedisClient | undefined;
  const fail = (error: unknown) => {
    const message = redactSecrets((error as Error).message ?? String(error), secrets);
    return Object.assign(new Error(message), { code: (error as { code?: unknown }).code });
  };
  const redis: RedisLike = {
    async send(command, args) {
      client ??= new RedisClient(url, {
        connectionTimeout: options.connectTimeoutMs ?? 500,
        autoReconnect: false,
        enableOfflineQueue: false,
      });
      try {
        if (!client.connected) await client.connect();
        return await client.send(command, args);
      } catch (error) {
        throw fail(error);
      }
    },
    async subscribe(channel, onMessage, signal) {
      // A connection per subscription, closed when the waiter is done with it, or gives up
      // waiting for the server to confirm it.
      const subscriber = new RedisClient(url, {
        connectionTimeout: options.connectTimeoutMs ?? 500,
        autoReconnect: false,
        enableOfflineQueue: false,
      });
      const close = () => subscriber.close();
      signal?.addEventListener("abort", close, { once: true });
      try {
        if (signal?.aborted) throw new Error("subscription abandoned");
        await subscriber.connect();
        await subscriber.subscribe(channel, () => onMessage());
      } catch (error) {
        close();
        throw fail(error);
      } finally {
        signal?.removeEventListener("abort", close);
      }
      return close;
    },
    reset() {
      // Rejects whatever is pending: a reply that never comes must not hold the process open.
      client?.close();
      client = undefined;
    },
  };
  shared.set(url, redis);
  return redis;
}
