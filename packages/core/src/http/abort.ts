/** Waiting (on a promise, or for a while) that an abort signal may cut short. Imports nothing. */

/**
 * Settles like `promise`, or, as soon as `signal` aborts, calls `onAbort` and rejects with
 * `reason()`. The promise itself goes on (others may share it); only this wait ends. For a
 * signal already aborted, the caller decides before it makes the promise.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  reason: () => unknown,
  onAbort?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const aborted = () => {
      reject(reason());
      onAbort?.();
    };
    signal.addEventListener("abort", aborted, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", aborted);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", aborted);
        reject(error);
      },
    );
  });
}

/**
 * Waits `ms`, or, when `signal` aborts first, rejects with `reason()` (by default the signal's
 * own reason). A plain wait: what an abort means is the caller's to say.
 * @example
 * await sleep(pauseMs * (0.5 + Math.random()));
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  reason: () => unknown = () => signal?.reason,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(reason());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
