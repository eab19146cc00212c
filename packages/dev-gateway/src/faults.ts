/** Fault injection: which requests get a fault, and which fault, according to a replaceable list. */

/** What a fault does to a request. */
export type FaultKind =
  /** Waits `ms` before handling the request normally. */
  | { kind: "latency"; ms: number }
  /** Answers with this HTTP status (400-599) and a JSON error body. */
  | { kind: "status"; status: number }
  /** Answers 429 with a `Retry-After: <retryAfterSec>` header. */
  | { kind: "rate-limit"; retryAfterSec: number }
  /** Answers HTTP 200 `{"code":401,"msg":"token expired"}`, the way some gateways report auth failures. */
  | { kind: "token-expired-body" }
  /** Drops the connection without any response: the client's fetch rejects. */
  | { kind: "drop" };

/**
 * A fault and the requests it applies to.
 *
 * With `count`, it applies to the next `count` matching requests and is then used up; with `rate`,
 * each matching request gets it with that probability; with both, each matching request gets it
 * with probability `rate` until it has been applied `count` times; with neither, it applies to
 * every matching request until the list is replaced.
 */
export type Fault = FaultKind & {
  /** Exact request path, e.g. "/auth/session"; omitted = every path. */
  route?: string;
  /** Applies to the next N matching requests, then is used up. */
  count?: number;
  /** Applies with this probability (0..1) to each matching request. */
  rate?: number;
};

/** A fault that answers the request itself (everything but latency). */
export type TerminalFault = Exclude<FaultKind, { kind: "latency" }>;

/** What to do to one request. */
export interface FaultDecision {
  /** Total delay before the request goes on. */
  readonly delayMs: number;
  /** The fault that answers the request instead of its route, if any. */
  readonly terminal: TerminalFault | null;
  /** How many faults were applied (for the stats). */
  readonly applied: number;
}

interface ArmedFault {
  readonly fault: Fault;
  remaining: number;
}

const NO_FAULT: FaultDecision = { delayMs: 0, terminal: null, applied: 0 };

function isFiniteAtLeast(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= min;
}

function validate(fault: Fault, at: string): void {
  if (typeof fault !== "object" || fault === null) {
    throw new TypeError(`${at} must be an object`);
  }
  switch (fault.kind) {
    case "latency":
      if (!isFiniteAtLeast(fault.ms, 0)) throw new TypeError(`${at}.ms must be a number >= 0`);
      break;
    case "status":
      if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
        throw new TypeError(`${at}.status must be an integer from 400 to 599`);
      }
      break;
    case "rate-limit":
      if (!isFiniteAtLeast(fault.retryAfterSec, 0)) {
        throw new TypeError(`${at}.retryAfterSec must be a number >= 0`);
      }
      break;
    case "token-expired-body":
    case "drop":
      break;
    default:
      throw new TypeError(
        `${at}.kind must be one of latency, status, rate-limit, token-expired-body, drop`,
      );
  }
  if (
    fault.route !== undefined &&
    (typeof fault.route !== "string" || !fault.route.startsWith("/"))
  ) {
    throw new TypeError(`${at}.route must be a path starting with "/"`);
  }
  if (fault.count !== undefined && (!Number.isInteger(fault.count) || fault.count < 0)) {
    throw new TypeError(`${at}.count must be an integer >= 0`);
  }
  if (fault.rate !== undefined && (!isFiniteAtLeast(fault.rate, 0) || fault.rate > 1)) {
    throw new TypeError(`${at}.rate must be a number from 0 to 1`);
  }
}

/**
 * The current fault list and what is left of each fault's `count`.
 *
 * Faults are tried in list order. Latency faults add up and let the request go on; the first other
 * fault that applies answers the request, and the faults after it are not consulted.
 *
 * @example
 * const plan = new FaultPlan();
 * plan.set([{ kind: "status", status: 503, route: "/auth/session", count: 2 }]);
 * plan.decide("/auth/session").terminal; // { kind: "status", status: 503, ... }
 */
export class FaultPlan {
  #armed: ArmedFault[] = [];
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Replaces the fault list (`[]` clears it). Throws TypeError, changing nothing, on a bad fault. */
  set(faults: readonly Fault[]): void {
    if (!Array.isArray(faults)) throw new TypeError("faults must be an array");
    faults.forEach((fault, i) => {
      validate(fault, `faults[${i}]`);
    });
    // Copies, so that the caller mutating its objects later changes nothing here.
    this.#armed = faults.map((fault) => ({
      fault: Object.freeze({ ...fault }),
      remaining: fault.count ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** Decides the faults for one request to `path`, using up counts as it goes. */
  decide(path: string): FaultDecision {
    if (this.#armed.length === 0) return NO_FAULT;
    let delayMs = 0;
    let applied = 0;
    for (const armed of this.#armed) {
      const { fault } = armed;
      if (armed.remaining <= 0) continue;
      if (fault.route !== undefined && fault.route !== path) continue;
      if (fault.rate !== undefined && !(this.#random() < fault.rate)) continue;
      armed.remaining -= 1;
      applied += 1;
      if (fault.kind === "latency") {
        delayMs += fault.ms;
        continue;
      }
      return { delayMs, terminal: fault, applied };
    }
    return { delayMs, terminal: null, applied };
  }
}
