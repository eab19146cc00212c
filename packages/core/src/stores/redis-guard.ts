/**
 * Bounded Redis calls: a timeout on each, and a cool-down after a failure, so an outage costs
 * one bounded wait and one warning, not one of each per call.
 */

/** Redis was down, slow, or is being left alone during a cool-down. */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

/**
 * An error reply from the server (`ERR …`, `NOPERM …`, `NOSCRIPT …`, `WRONGTYPE …`): Redis
 * answered, so it is up; the command itself was refused. Bun, node-redis and ioredis all keep
 * the server's reply as the message. Replies that mean the server cannot serve (`LOADING`,
 * `READONLY`, `NOAUTH`, `OOM` …) count as an outage.
 */
export function isReplyError(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /^(ERR|NOPERM|NOSCRIPT|WRONGTYPE)\b/.test(message);
}

export interface RedisGuardOptions {
  /** Bound of each call, connecting included. */
  readonly timeoutMs: number;
  /** After a failure, calls fail at once this long before Redis is tried again. */
  readonly coolDownMs: number;
  /** Names the server in the warning; never holds a password. */
  readonly label: string;
  readonly warn: (message: string) => void;
  /** Called after a failed or timed-out call, e.g. to drop a connection a late reply may hold. */
  readonly onFailure?: (() => void) | undefined;
}

export class RedisGuard {
  readonly #options: RedisGuardOptions;
  /** Until then, calls fail without touching Redis. */
  #retryAtMs = 0;
  /** True from a failure to the next success: one warning per outage. */
  #down = false;

  constructor(options: RedisGuardOptions) {
    this.#options = options;
  }

  /** False during a cool-down. */
  get available(): boolean {
    return Date.now() >= this.#retryAtMs;
  }

  /**
   * Runs `call` within the timeout. A failure (not an error reply) starts a cool-down and, the
   * first time in an outage, warns; either way the caller gets a {@link RedisUnavailableError}.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const { timeoutMs, label } = this.#options;
    if (!this.available)
      throw new RedisUnavailableError(`${label} is cooling down after a failure`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    });
    const pending = Promise.resolve().then(call);
    // Past the timeout nobody awaits it; its late rejection must not go unobserved.
    pending.catch(() => {});
    try {
      const result = await Promise.race([pending, timeout]);
      this.#down = false;
      return result;
    } catch (error) {
      if (isReplyError(error)) throw error;
      throw this.#fail(error);
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(error: unknown): RedisUnavailableError {
    const { coolDownMs, label, warn, onFailure } = this.#options;
    this.#retryAtMs = Date.now() + coolDownMs;
    const reason = (error as Error | null)?.message || String(error);
    try {
      onFailure?.();
    } catch {}
    if (!this.#down) {
      this.#down = true;
      warn(
        `fleet cache ${label} unavailable (${reason}); using the local caches, trying Redis again in ${Math.ceil(coolDownMs / 1000)} s`,
      );
    }
    return new RedisUnavailableError(`${label}: ${reason}`, { cause: error });
  }
}
