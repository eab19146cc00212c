/** Waiting on a promise that an abort signal may cut short. Imports nothing. */

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
