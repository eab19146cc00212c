/**
 * The fleet cache: tokens in Redis, shared by every machine, with a distributed lock so a fleet
 * makes one token request per expiry. Speaks to Redis through {@link RedisLike}, so any client
 * fits (Bun's built-in one, node-redis, ioredis) and none is a dependency.
 */

import { type CachedToken, parseCacheFile, toCacheFile } from "../cache/cache-file.ts";
import { warnOnStderr } from "../observe/warn.ts";
import {
  boundedText,
  type EntryRead,
  entryFromScript,
  MAX_ENTRY_ARG,
  NO_ENTRY,
  READ_ENTRY,
  replyText,
  WRITE_ENTRY,
} from "./redis-entry.ts";
import { isReplyError, RedisGuard } from "./redis-guard.ts";
import { ChangeSignal, type StoreWatch } from "./store-watch.ts";
import type { ReleaseLock, TokenStore } from "./token-store.ts";

/**
 * The one thing the store needs from a Redis client: send a command, get its reply.
 *
 * @example
 * // Bun: RedisClient has this very method (see `bunRedisClient` for one with timeouts).
 * const redis: RedisLike = new RedisClient(url);
 * // node-redis
 * const redis: RedisLike = { send: (command, args) => client.sendCommand([command, ...args]) };
 * // ioredis
 * const redis: RedisLike = { send: (command, args) => client.call(command, ...args) };
 */
export interface RedisLike {
  /**
   * Sends `command` with `args` (e.g. `"SET", [key, value, "NX", "PX", "10000"]`). Resolves the
   * reply: a string, a number, null, or an array of those. Rejects on an error reply, keeping
   * the server's text (`ERR …`) as the message.
   */
  send(command: string, args: string[]): Promise<unknown>;
  /**
   * Optional: drops the connection after a failed or timed-out command, so a reply that never
   * comes cannot keep the process alive; the next `send` connects again.
   */
  reset?(): void;
  /**
   * Optional: subscribes to `channel` on a connection of its own (a subscribed connection runs
   * no other command) and calls `onMessage` for each message. Resolves once subscribed, to the
   * function that ends the subscription and closes that connection; rejects (without the URL's
   * password in the message) when it cannot subscribe. The connection must not keep the
   * process alive after it is closed. When the store stops waiting for the confirmation (the
   * command timeout), it aborts `signal`: close the connection then, or a server that never
   * confirms keeps it open. Without `subscribe`, waiters poll Redis (docs/locks.md).
   *
   * @example
   * // node-redis
   * subscribe: async (channel, onMessage, signal) => {
   *   const sub = client.duplicate();
   *   sub.on("error", () => {});
   *   signal?.addEventListener("abort", () => void sub.disconnect().catch(() => {}));
   *   await sub.connect();
   *   await sub.subscribe(channel, onMessage);
   *   return () => void sub.disconnect().catch(() => {});
   * },
   * // ioredis
   * subscribe: async (channel, onMessage, signal) => {
   *   const sub = client.duplicate();
   *   signal?.addEventListener("abort", () => sub.disconnect());
   *   sub.on("message", onMessage);
   *   await sub.subscribe(channel);
   *   return () => sub.disconnect();
   * },
   */
  subscribe?(channel: string, onMessage: () => void, signal?: AbortSignal): Promise<() => void>;
}

export interface RedisTokenStoreOptions {
  /**
   * Prefix of every key: tokens live at `<prefix>token:<hash>`, locks at `<prefix>lock:<hash>`.
   * @default "openclaw:auth:"
   */
  readonly keyPrefix?: string;
  /** Bound of each Redis call, connecting included. @default 500 */
  readonly commandTimeoutMs?: number;
  /** After a failure, Redis is left alone this long. @default 10000 */
  readonly coolDownMs?: number;
  /**
   * Lifetime of the lock; the holder renews it every third of this, so a lock outlives its
   * holder by at most this long. @default 10000
   */
  readonly lockTtlMs?: number;
  /** Names the server in warnings and `describe`; must not hold a password. @default "Redis" */
  readonly label?: string;
  /** Told once per outage. @default console.warn */
  readonly onWarning?: ((message: string) => void) | undefined;
}

export const REDIS_STORE_DEFAULTS = Object.freeze({
  keyPrefix: "openclaw:auth:",
  commandTimeoutMs: 500,
  coolDownMs: 10_000,
  lockTtlMs: 10_000,
  label: "Redis",
});

/**
 * Tries of a write that finds the entry changed between its read and its compare-and-set. Past
 * them the write is dropped: other writers are busy with the entry, and each of them stores a
 * token or is a co-tenant that could as well delete it.
 */
const WRITE_ATTEMPTS = 3;

/** Deletes the lock only while it holds our owner id. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'unlock')
  return 1
end
return 0`;

/** Extends the lock only while it holds our owner id. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Error replies that mean the server will not run scripts for us (renamed EVAL, ACL, disabled). */
const NO_SCRIPTS = /unknown command|NOPERM|disabled|not allowed/i;

/** What {@link RedisTokenStore.#eval} returns where the server refuses scripts. */
const REFUSED: unique symbol = Symbol("scripts refused");

/** `redis://host:port/db` of a Redis URL, without user or password: for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, "");
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}${db ? `/${db}` : ""}`;
  } catch {
    return "Redis";
  }
}

/**
 * Tokens in Redis under `openclaw:auth:token:<hash>` (the cache file's hash, never the client
 * key), valued as the cache file's JSON and expiring with the token (PX), and held to the cache
 * file's rules (see `redis-entry.ts`): a value over 64 KiB is never fetched, and only
 * {@link parseCacheFile} decides whether a stored token is kept. The lock is
 * `SET openclaw:auth:lock:<hash> <random owner id> NX PX <ttl>`, renewed while held and released
 * only by its owner (compare and delete in one Lua script; where EVAL is refused, GET then DEL,
 * which can delete a lock that expired and was taken over between the two).
 *
 * Every call is bounded; a failure rejects, warns once per outage and leaves Redis alone for a
 * cool-down. On its own the store fails calls while Redis is down: put it in front of the file
 * store with {@link TieredTokenStore} to keep serving from local caches.
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: RedisLike;
  readonly #guard: RedisGuard;
  readonly #prefix: string;
  readonly #lockTtlMs: number;
  readonly #label: string;
  readonly #timeoutMs: number;
  /** Set when the server refused a script: compare-and-delete falls back to GET + DEL. */
  #noScripts = false;

  constructor(redis: RedisLike, options: RedisTokenStoreOptions = {}) {
    const d = REDIS_STORE_DEFAULTS;
    this.#redis = redis;
    this.#prefix = options.keyPrefix ?? d.keyPrefix;
    this.#lockTtlMs = options.lockTtlMs ?? d.lockTtlMs;
    this.#label = options.label ?? d.label;
    this.#timeoutMs = options.commandTimeoutMs ?? d.commandTimeoutMs;
    this.#guard = new RedisGuard({
      timeoutMs: this.#timeoutMs,
      coolDownMs: options.coolDownMs ?? d.coolDownMs,
      label: this.#label,
      warn: options.onWarning ?? warnOnStderr,
      onFailure: () => redis.reset?.(),
    });
  }

  /** The Redis key of the token for cache key `key`. */
  tokenKey(key: string): string {
    return `${this.#prefix}token:${key}`;
  }

  /** The Redis key of the lock for cache key `key`. */
  lockKey(key: string): string {
    return `${this.#prefix}lock:${key}`;
  }

  /** The pub/sub channel on which writes of the token and releases of the lock of `key` are told. */
  notifyChannel(key: string): string {
    return `${this.#prefix}notify:${key}`;
  }

  /** Every token this store serves comes from Redis (the `source` of `token.acquired`). */
  tierOf(_token: CachedToken): "redis" {
    return "redis";
  }

  describe(key: string): string {
    return `${this.#label} ${this.tokenKey(key)}`;
  }

  async get(key: string): Promise<CachedToken | undefined> {
    const { text } = await this.#readEntry(this.tokenKey(key));
    return text === undefined ? undefined : parseCacheFile(text);
  }

  /**
   * Stores the token unless the stored one is a token and expires later: judged here, then
   * written by a script only while the entry is still the one judged (else judged again).
   */
  async set(key: string, token: CachedToken): Promise<void> {
    const ttlMs = Math.ceil(token.expiresAt * 1000 - Date.now());
    // An expired token is worth nothing to the fleet (Redis refuses PX <= 0 anyway), and an
    // endless one is no token of ours.
    if (!(ttlMs > 0 && Number.isSafeInteger(ttlMs))) return;
    const k = this.tokenKey(key);
    const value = JSON.stringify(toCacheFile(token));
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const { text, seen } = await this.#readEntry(k);
      const stored = text === undefined ? undefined : parseCacheFile(text);
      if (stored && stored.expiresAt > token.expiresAt) return;
      const args = [value, String(ttlMs), this.notifyChannel(key), seen, MAX_ENTRY_ARG];
      const written = await this.#script(WRITE_ENTRY, k, args, async () => {
        // Without scripts: GET-compare-SET, which can lose to a write between the two.
        await this.#send("SET", [k, value, "PX", String(ttlMs)]);
        await this.#publish(key, "token");
        return 1;
      });
      if (written !== 0) return;
    }
  }

  /**
   * The token entry at `k`, never more than 64 KiB of it: the script checks the size on the
   * server; without scripts, GETRANGE fetches at most one byte more than the bound.
   */
  async #readEntry(k: string): Promise<EntryRead> {
    const reply = await this.#eval(READ_ENTRY, k, [MAX_ENTRY_ARG]);
    if (reply !== REFUSED) return entryFromScript(reply);
    try {
      const text = boundedText(await this.#send("GETRANGE", [k, "0", MAX_ENTRY_ARG]));
      return text ? { text, seen: "" } : NO_ENTRY;
    } catch (error) {
      // Another type under our key (a co-tenant's): no entry, and the next write replaces it.
      if (isReplyError(error) && /^WRONGTYPE/.test((error as Error).message)) return NO_ENTRY;
      throw error;
    }
  }

  /**
   * A subscription to the notifications of `key`, on a connection of its own; undefined (the
   * waiter polls) when the client cannot subscribe, Redis is cooling down after a failure, or
   * the subscription is not confirmed within the command timeout. Fails silently: the poll is
   * the fallback, and an outage is told by the store's other calls.
   */
  async watch(key: string): Promise<StoreWatch | undefined> {
    const redis = this.#redis;
    if (!redis.subscribe || !this.#guard.available) return undefined;
    const change = new ChangeSignal(() => unsubscribe?.());
    let unsubscribe: (() => void) | undefined;
    const abandon = new AbortController();
    const pending = redis.subscribe(this.notifyChannel(key), () => change.notify(), abandon.signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs, undefined);
    });
    try {
      unsubscribe = await Promise.race([pending.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (unsubscribe) return change;
    // Confirmed too late, or never: the client closes the connection, and if the confirmation
    // still comes, so do we.
    abandon.abort();
    pending.then(
      (late) => late(),
      () => {},
    );
    return undefined;
  }

  async #publish(key: string, what: "token" | "unlock"): Promise<void> {
    await this.#send("PUBLISH", [this.notifyChannel(key), what]).catch(() => {});
  }

  async delete(key: string): Promise<void> {
    await this.#send("DEL", [this.tokenKey(key)]);
  }

  async tryLock(key: string): Promise<ReleaseLock | undefined> {
    const k = this.lockKey(key);
    const owner = crypto.randomUUID();
    const ttl = String(this.#lockTtlMs);
    if ((await this.#send("SET", [k, owner, "NX", "PX", ttl])) !== "OK") return undefined;

    // Renewed while held, so a slow token request keeps it and a dead holder loses it soon.
    const renewal = setInterval(() => {
      this.#ifOwner(RENEW, k, owner, [ttl], () => this.#send("PEXPIRE", [k, ttl])).then(
        (kept) => {
          if (!kept) clearInterval(renewal);
        },
        () => {},
      );
    }, this.#lockTtlMs / 3);
    (renewal as { unref?: () => void }).unref?.();

    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      await this.#ifOwner(RELEASE, k, owner, [this.notifyChannel(key)], async () => {
        await this.#send("DEL", [k]);
        await this.#publish(key, "unlock");
      });
    };
  }

  /**
   * Runs `script`, which acts only while the lock holds `owner`; where scripts are refused,
   * compares with GET and runs `fallback`. True when the lock was ours.
   */
  async #ifOwner(
    script: string,
    lockKey: string,
    owner: string,
    args: string[],
    fallback: () => Promise<unknown>,
  ): Promise<boolean> {
    const reply = await this.#script(script, lockKey, [owner, ...args], async () => {
      // One byte more than the owner id at most: whatever else is stored is not ours.
      const range = ["0", String(owner.length)];
      if (replyText(await this.#send("GETRANGE", [lockKey, ...range])) !== owner) return 0;
      return fallback();
    });
    return reply !== 0;
  }

  /** EVAL of a one-key script, or `fallback` where the server refuses scripts. */
  async #script<T>(
    script: string,
    key: string,
    args: string[],
    fallback: () => Promise<T>,
  ): Promise<unknown> {
    const reply = await this.#eval(script, key, args);
    return reply === REFUSED ? fallback() : reply;
  }

  /** EVAL of a one-key script; {@link REFUSED} where the server refuses scripts. */
  async #eval(script: string, key: string, args: string[]): Promise<unknown> {
    if (this.#noScripts) return REFUSED;
    try {
      return await this.#send("EVAL", [script, "1", key, ...args]);
    } catch (error) {
      if (!(isReplyError(error) && NO_SCRIPTS.test((error as Error).message))) throw error;
      this.#noScripts = true;
      return REFUSED;
    }
  }

  #send(command: string, args: string[]): Promise<unknown> {
    return this.#guard.run(() => this.#redis.send(command, args));
  }
}
