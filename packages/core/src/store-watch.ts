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

/** A {@link StoreWatch} fed by a push source: {@link notify} on each change. */
export class ChangeSignal implements StoreWatch {
  #pending = false;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #onClose: () => void;

  /** `onClose`: stops the source (closes a watcher, a subscriber connection). */
  constructor(onClose: () => void = () => {}) {
    this.#onClose = onClose;
  }

  notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#pending || this.#closed || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    try {
      this.#onClose();
    } catch {}
  }
}

/** One watch over several: a wait ends on a change of any of them. */
export function anyWatch(watches: readonly StoreWatch[]): StoreWatch {
  return {
    async wait(ms, signal) {
      if (signal?.aborted) return;
      const ended = new AbortController();
      const end = () => ended.abort();
      signal?.addEventListener("abort", end, { once: true });
      try {
        await Promise.race(watches.map((watch) => watch.wait(ms, ended.signal)));
      } finally {
        end();
        signal?.removeEventListener("abort", end);
      }
    },
    close() {
      for (const watch of watches) watch.close();
    },
  };
}
