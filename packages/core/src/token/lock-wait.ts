/**
 * Single flight across processes: take the store's lock before asking the gateway, or wait
 * for the holder's token, never longer than the policy's bound (docs/locks.md).
 */

import type { CachedToken } from "../cache/cache-file.ts";
import { abortedError, sleep } from "../http/retry.ts";
import type { AuthEvent } from "../observe/events.ts";
import type { ReleaseLock, StoreWatch } from "../stores/token-store.ts";
import type { StoreReads } from "./store-reads.ts";

/** How long and how often a process waits for another's token request. */
export interface LockWaitPolicy {
  /** @default 20 */
  readonly initialPollMs: number;
  /** @default 200 */
  readonly maxPollMs: number;
  /**
   * Past this, go on without the lock rather than hang.
   * @default 15000
   */
  readonly giveUpMs: number;
  /**
   * Wake when the store says the token was written or the lock released (the cache dir's
   * change notifications, Redis pub/sub), polling only as the fallback; false: poll only.
   * @default true
   */
  readonly notify?: boolean;
}

export const DEFAULT_LOCK_WAIT: Readonly<LockWaitPolicy> = Object.freeze({
  initialPollMs: 20,
  maxPollMs: 200,
  giveUpMs: 15_000,
  notify: true,
});

/**
 * A wait opens the store's watch only before a pause this long. Opening one costs CPU (an
 * inotify watch: ~2.5 ms in Bun; a Redis subscriber: a connection), which in a storm of short
 * waits costs the lock holder more than the waits it would shorten; a short pause costs little
 * latency. With the default policy: from the fifth pause, about 160 ms into the wait.
 */
const NOTIFY_FROM_POLL_MS = 100;

/** One wait for the lock of one flight. */
export interface LockWait {
  /** The store, its key and its reads (with the poison check). */
  readonly reads: StoreReads;
  readonly policy: LockWaitPolicy;
  /** A token written meanwhile that ends the wait (fresh; for a refresh, not the refused one). */
  readonly acceptable: (token: CachedToken | undefined) => token is CachedToken;
  /** The flight's signal: aborted once no caller waits. */
  readonly signal: AbortSignal;
  /** `POST <token URL>`: the `request` of an aborted wait's error. */
  readonly request: string;
  readonly warn: (message: string) => void;
  /** Tells the flight's listeners (`lock.waited`). */
  readonly emit: (event: AuthEvent) => void;
}

/** The token another process wrote, or the lock (`release` undefined: go on without one). */
export type LockOutcome = { token: CachedToken } | { release: ReleaseLock | undefined };

/** {@link pollLock}, closing the store's watch it may have opened. */
export async function waitForLock(wait: LockWait): Promise<LockOutcome> {
  const notifications: Notifications = {};
  try {
    return await pollLock(wait, notifications);
  } finally {
    notifications.watch?.close();
  }
}

/** The store's watch of the key, opened at most once per wait. */
interface Notifications {
  tried?: boolean;
  watch?: StoreWatch | undefined;
}

/**
 * Takes the store's lock, polling with growing, jittered sleeps. Each poll re-reads the store:
 * a token written meanwhile ends the wait. Past `giveUpMs`, goes on without the lock.
 * Where the store has notifications, a write or a release ends a sleep early.
 */
async function pollLock(wait: LockWait, notifications: Notifications): Promise<LockOutcome> {
  const { reads, acceptable, signal, request } = wait;
  const { store, key } = reads;
  if (!store?.tryLock) return { release: undefined };
  const { initialPollMs, maxPollMs, giveUpMs } = wait.policy;
  const startedMs = Date.now();
  const deadline = startedMs + giveUpMs;
  let pollMs = initialPollMs;
  let waited = false;
  /** The store was read after the last pause, right before this turn's try at the lock. */
  let readAfterPause = false;
  const waitEnded = (outcome: "token" | "acquired" | "gave_up") => {
    if (waited) wait.emit({ type: "lock.waited", ms: Date.now() - startedMs, outcome });
  };
  for (;;) {
    if (signal.aborted) throw abortedError("Waiting for the token lock", signal, request);
    let release: ReleaseLock | undefined;
    try {
      release = await store.tryLock(key);
    } catch (error) {
      wait.warn(`token lock unavailable (${(error as Error).message}); going on without it`);
      return { release: undefined };
    }
    if (release) {
      waitEnded("acquired");
      return { release };
    }
    // One read per turn, as before a pause: the one after the pause, when there was one.
    const token = readAfterPause ? undefined : await reads.read();
    readAfterPause = false;
    if (acceptable(token)) {
      waited = true;
      waitEnded("token");
      return { token };
    }
    if (Date.now() >= deadline) {
      waitEnded("gave_up");
      wait.warn(`waited ${giveUpMs} ms for the token lock; going on without it`);
      return { release: undefined };
    }
    waited = true;
    if (!notifications.tried && pollMs >= NOTIFY_FROM_POLL_MS && wait.policy.notify !== false) {
      notifications.tried = true;
      notifications.watch = await store.watch?.(key).catch(() => undefined);
      // Opened at the first wait: a change between our last look and then wakes nobody, so
      // look once more. From now on, a change ends a sleep early.
      if (notifications.watch) continue;
    }
    const pauseMs = pollMs * (0.5 + Math.random());
    if (notifications.watch) await notifications.watch.wait(pauseMs, signal);
    else await sleep(pauseMs, signal, request);
    // The store before the lock: most waits end on the token's write, and a read costs a
    // fraction of a try at the lock (a lock just released would be taken, the store read again
    // and the lock released, by every waiter that woke at once). After an abort the read is
    // skipped: the loop's next turn throws the abort.
    if (signal.aborted) continue;
    const written = await reads.read();
    if (acceptable(written)) {
      waitEnded("token");
      return { token: written };
    }
    readAfterPause = true;
    pollMs = Math.min(maxPollMs, pollMs * 1.5);
  }
}
