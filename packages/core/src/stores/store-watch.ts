/**
 * Change notifications of a token store (docs/locks.md, "Notifications"): what lets a process
 * waiting for another's token request wake when the token is written or the lock released,
 * instead of at its next poll. A notification only ends a wait early; every decision is still
 * taken by reading the store and trying its lock.
 */

/** Changes of one key's token or lock, as a wait that a change ends early. */
export interface StoreWatch {
  /**
   * Resolves on the first change since the previous wait ended (or since the watch opened),
   * or after `ms`, or when `signal` aborts (the caller checks it). Never rejects.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops watching; an ongoing wait resolves. */
  close(): void;
}

/**
 * Wakes a waiter may have at once before pacing applies: a genuine wait can take two in a row
 * (the lock released by a holder that failed; then, when another waiter took it, its token).
 */
const WAKE_BURST = 2;

/**
 * Notifications are hints anyone with access to the source can forge (a Redis co-tenant
 * publishing on the channel, a process touching the cache dir). So changes wake a waiter no
 * more often than its polling would: each wake spends a credit, a wait's length earns one back,
 * and at most {@link WAKE_BURST} are kept. A change without a credit is held (with any further
 * changes, coalesced) until one is earned, or until the wait's own end, which then counts as
 * the wake. A flood costs at most the burst more than polling; a change after a quiet pause
 * still wakes at once.
 */
class Pace {
  #credit = WAKE_BURST;
  #atMs = Date.now();

  /** How long from now a wait of `ms` must hold a change before it may end on it. */
  holdMs(ms: number): number {
    this.#earn(ms);
    return this.#credit >= 1 ? 0 : (1 - this.#credit) * ms;
  }

  /** A wait of `ms` ended on a change, now. */
  woke(ms: number): void {
    this.#earn(ms);
    this.#credit = Math.max(0, this.#credit - 1);
  }

  #earn(ms: number): void {
    const now = Date.now();
    this.#credit = Math.min(WAKE_BURST, this.#credit + (now - this.#atMs) / ms);
    this.#atMs = now;
  }
}

/**
 * More changes than this told between two wakes is a flood, not a fleet at work (a lock cycle
 * tells two: the token's write and the lock's release): the source is stopped and the watch's
 * waits are plain sleeps from then on, so the flood costs not even the receiving of it.
 */
export const FLOOD_CHANGES = 64;

/** A {@link StoreWatch} fed by a push source: {@link notify} on each change. */
export class ChangeSignal implements StoreWatch {
  #pending = false;
  #closed = false;
  /** Changes told since the last wake. */
  #told = 0;
  /** Stopped after a flood: changes are ignored, waits last their length. */
  #muted = false;
  #wake: (() => void) | undefined;
  readonly #pace = new Pace();
  readonly #onClose: () => void;

  /** `onClose`: stops the source (closes a watcher, a subscriber connection). */
  constructor(onClose: () => void = () => {}) {
    this.#onClose = onClose;
  }

  notify(): void {
    if (this.#muted || this.#closed) return;
    if (++this.#told > FLOOD_CHANGES) {
      this.#muted = true;
      this.#pending = false;
      this.#stop();
      return;
    }
    this.#pending = true;
    this.#wake?.();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let held: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        clearTimeout(held);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
      const woken = () => {
        this.#pace.woke(ms);
        this.#told = 0;
        done();
      };
      // Ending while a change is held consumes it: that is the wake.
      const timer = setTimeout(() => (held === undefined ? done() : woken()), ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = () => {
        if (this.#closed) return done();
        if (held !== undefined) return;
        const holdMs = this.#pace.holdMs(ms);
        if (holdMs <= 0) woken();
        else held = setTimeout(woken, holdMs);
      };
      if (this.#pending) this.#wake();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    if (!this.#muted) this.#stop();
  }

  #stop(): void {
    try {
      this.#onClose();
    } catch {}
  }
}

/**
 * One watch over several: a wait ends on a change of any of them, paced as one (each is paced on
 * its own; together they would wake once per wait's length each).
 */
export function anyWatch(watches: readonly StoreWatch[]): StoreWatch {
  const pace = new Pace();
  let closed = false;
  /** Ends the wait in progress, its hold included. */
  let current: AbortController | undefined;
  return {
    async wait(ms, signal) {
      if (signal?.aborted) return;
      const started = Date.now();
      const ended = new AbortController();
      current = ended;
      const end = () => ended.abort();
      signal?.addEventListener("abort", end, { once: true });
      try {
        await Promise.race(watches.map((watch) => watch.wait(ms, ended.signal)));
        const leftMs = started + ms - Date.now();
        if (closed || ended.signal.aborted || leftMs <= 0) return;
        // Ended early, on a change: held as a single watch holds it.
        const holdMs = Math.min(pace.holdMs(ms), leftMs);
        if (holdMs > 0) await abortableSleep(holdMs, ended.signal);
        if (!ended.signal.aborted) pace.woke(ms);
      } finally {
        end();
        signal?.removeEventListener("abort", end);
      }
    },
    close() {
      closed = true;
      current?.abort();
      for (const watch of watches) watch.close();
    },
  };
}

/** Resolves after `ms` or when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
