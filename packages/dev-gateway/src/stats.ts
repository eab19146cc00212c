/** Counters of what the gateway served, for tests and benchmarks to assert on. */

/** A snapshot of the gateway's counters since it started or since the last `resetStats()`. */
export interface DevGatewayStats {
  /**
   * Tokens issued by `POST {sessionPath}` and `POST /oauth/token` (tokens minted with
   * `issueToken()` are not counted).
   */
  tokensIssued: number;
  /** Requests by path, faulted ones included, e.g. `{"/auth/session": 3, "/ecom/tasks/scrape": 2}`. */
  requests: Record<string, number>;
  /** Requests to protected routes rejected with 401/403 by the token check. */
  authFailures: number;
  /** Faults applied (a request that gets two faults counts two). */
  faultsInjected: number;
}

/**
 * The live counters behind `DevGateway.stats()`.
 *
 * @example
 * const stats = new StatsRecorder();
 * stats.request("/health");
 * stats.snapshot().requests; // { "/health": 1 }
 */
export class StatsRecorder {
  #tokensIssued = 0;
  #requests = new Map<string, number>();
  #authFailures = 0;
  #faultsInjected = 0;

  request(path: string): void {
    this.#requests.set(path, (this.#requests.get(path) ?? 0) + 1);
  }

  tokenIssued(): void {
    this.#tokensIssued += 1;
  }

  authFailure(): void {
    this.#authFailures += 1;
  }

  faultsInjected(n: number): void {
    this.#faultsInjected += n;
  }

  /** A copy: later requests do not change it. */
  snapshot(): DevGatewayStats {
    return {
      tokensIssued: this.#tokensIssued,
      requests: Object.fromEntries(this.#requests),
      authFailures: this.#authFailures,
      faultsInjected: this.#faultsInjected,
    };
  }

  reset(): void {
    this.#tokensIssued = 0;
    this.#requests = new Map();
    this.#authFailures = 0;
    this.#faultsInjected = 0;
  }
}
