/**
 * The per-attempt timeout of every HTTP exchange the runtime makes (API requests, each attempt
 * of the token request), without a new AbortController and a timer set and cleared for every
 * request: on Bun that pair costs about as much as everything else the request path does
 * (BENCHMARKS.md). An attempt borrows a slot: a controller whose signal goes to fetch, and a
 * timer that is armed once and, when it fires, aborts the attempt if its deadline has passed or
 * re-arms for the time left. Slots go back to a pool, so a program making requests one after
 * another uses one timer for all of them, and on Bun one controller as well.
 */

/**
 * What `setTimeout` returns: an object with `ref`/`unref` on Node and Bun, a number by the DOM's
 * types (and in a browser or Deno, where neither method exists). Typed here, so that this module
 * needs neither runtime's types (tsconfig.logic.json checks it without them).
 */
type TimerHandle = ReturnType<typeof setTimeout>;
interface ProcessHold {
  ref?(): unknown;
  unref?(): unknown;
}

/** The timer keeps the process alive (where timers can say so). */
function ref(timer: unknown): void {
  (timer as ProcessHold | undefined)?.ref?.();
}

/** The timer no longer keeps the process alive (where timers can say so). */
function unref(timer: unknown): void {
  (timer as ProcessHold | undefined)?.unref?.();
}

/** What the timed-out attempt's fetch rejects with: the same as `AbortSignal.timeout`. */
function timeoutReason(): DOMException {
  return new DOMException("The operation timed out.", "TimeoutError");
}

/**
 * One attempt's timeout: `signal` aborts with a `TimeoutError` once the deadline passes. Valid
 * until {@link AttemptTimeouts.end}: the slot then serves other attempts.
 */
export interface AttemptTimeout {
  readonly signal: AbortSignal;
}

class Slot implements AttemptTimeout {
  controller = new AbortController();
  /** False once the signal went where it may be kept: the next attempt needs a new one. */
  reusable = true;
  /** `performance.now()` by which the current attempt must end. */
  deadline = 0;
  /** When the armed timer fires; Infinity when none is armed. */
  firesAt = Number.POSITIVE_INFINITY;
  busy = false;
  /** True while the timer keeps the process alive (see {@link AttemptTimeouts.start}). */
  holdsProcess = false;
  timer: TimerHandle | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

/** A slot's timer fired: abort an overdue attempt, re-arm for one still running. */
function onTimer(slot: Slot): void {
  slot.firesAt = Number.POSITIVE_INFINITY;
  if (!slot.busy) return;
  const left = slot.deadline - performance.now();
  if (left <= 0) slot.controller.abort(timeoutReason());
  else arm(slot, left);
}

function arm(slot: Slot, ms: number): void {
  clearTimeout(slot.timer);
  slot.firesAt = performance.now() + ms;
  slot.timer = setTimeout(onTimer, ms, slot);
  if (!slot.holdsProcess) unref(slot.timer);
}

/** Idle slots kept; a burst beyond this many concurrent attempts does not stay allocated. */
const MAX_FREE_SLOTS = 64;

/** A pool of attempt slots (one per runtime). */
export class AttemptTimeouts {
  readonly #free: Slot[] = [];
  readonly #reuseSignals: boolean;

  /**
   * `reuseSignals`: the runtime's fetch lets go of a signal when its exchange ends, so one that
   * never fired can serve the next attempt. Bun's does; Node's (undici) keeps a listener on it
   * until garbage collection, so a reused signal would collect thousands.
   */
  constructor(options: { readonly reuseSignals: boolean }) {
    this.#reuseSignals = options.reuseSignals;
  }

  /**
   * Starts an attempt's clock. `keepsSignal`: the signal goes where it may be kept (a fetch other
   * than the runtime's own, `AbortSignal.any`), so it serves this attempt only.
   */
  start(timeoutMs: number, keepsSignal: boolean): AttemptTimeout {
    const slot = this.#free.pop() ?? new Slot();
    if (!slot.reusable) slot.controller = new AbortController();
    slot.reusable = this.#reuseSignals && !keepsSignal;
    slot.busy = true;
    slot.deadline = performance.now() + timeoutMs;
    // The runtime's own fetch keeps the process alive while it runs; a caller's might not, and
    // then the timer must, so that its timeout still fires. Otherwise the timer never holds the
    // process: a script ends when its last request does.
    slot.holdsProcess = keepsSignal;
    if (keepsSignal) ref(slot.timer);
    // A timer armed for at most the deadline re-arms itself for the rest when it fires.
    if (slot.firesAt > slot.deadline) arm(slot, timeoutMs);
    return slot;
  }

  /** The exchange is over (the body read, or failed). */
  end(attempt: AttemptTimeout): void {
    const slot = attempt as Slot;
    slot.busy = false;
    if (slot.controller.signal.aborted || this.#free.length >= MAX_FREE_SLOTS) {
      clearTimeout(slot.timer);
      return;
    }
    if (slot.holdsProcess) unref(slot.timer);
    slot.holdsProcess = false;
    this.#free.push(slot);
  }
}

/**
 * For attempts whose signal goes where it may be kept (a fetch other than the runtime's own,
 * `AbortSignal.any`): such a signal is never reused, so this pool suits every runtime.
 */
const keptSignalAttempts = new AttemptTimeouts({ reuseSignals: false });

/**
 * Runs one exchange (`fetch` and reading its body) with a signal that aborts with a
 * `TimeoutError` after `timeoutMs`, as `AbortSignal.timeout` would, or with `signal`'s reason
 * when `signal` aborts first. Its timer keeps the process alive while the exchange runs (a
 * caller's fetch may not), and is reused by the next exchange. For exchanges that are not on
 * the warm path (each attempt of the token request, a health probe); API requests borrow from
 * their runtime's pool directly.
 * @example
 * const status = await withAttemptTimeout(5000, undefined, async (signal) => {
 *   const response = await fetch(url, { signal });
 *   await response.body?.cancel();
 *   return response.status;
 * });
 */
export async function withAttemptTimeout<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  exchange: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempt = keptSignalAttempts.start(timeoutMs, true);
  try {
    return await exchange(signal ? AbortSignal.any([signal, attempt.signal]) : attempt.signal);
  } finally {
    keptSignalAttempts.end(attempt);
  }
}
