/**
 * A client of the admin API of a dev gateway running elsewhere (started with `admin: true` or the
 * bin's `--admin`): the same controls as `DevGateway`, async, over plain `fetch`. Runs on Node and
 * Bun alike.
 */
import type { Fault } from "./faults.ts";
import type { DevGatewayStats } from "./stats.ts";

/** A dev gateway controlled over HTTP. */
export interface DevGatewayClient {
  /** Base URL without a trailing slash. */
  readonly url: string;
  stats(): Promise<DevGatewayStats>;
  resetStats(): Promise<void>;
  /** Replaces the fault list; rejects with a TypeError naming the bad fault. */
  setFaults(faults: readonly Fault[]): Promise<void>;
  revokeAll(): Promise<void>;
  issueToken(opts?: { ttlSec?: number }): Promise<string>;
  /** Asks the gateway to stop and resolves once it no longer accepts connections. */
  stop(): Promise<void>;
}

const STOP_WAIT_MS = 10_000;

/** True when nothing accepts a connection at `url` any more. */
async function refusesConnections(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return false;
  } catch {
    return true;
  }
}

/**
 * Controls the dev gateway at `url` through its admin API.
 *
 * @example
 * const gateway = connectDevGateway("http://127.0.0.1:43127");
 * await gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session", count: 1 }]);
 * console.log((await gateway.stats()).tokensIssued);
 * await gateway.stop();
 */
export function connectDevGateway(url: string): DevGatewayClient {
  const base = url.replace(/\/+$/, "");

  async function call(method: "GET" | "POST", route: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${base}/__admin/${route}`, {
      method,
      ...(body !== undefined && {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    });
    if (response.ok) return response;
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    // 400 is a bad argument, as the in-process controls throw it.
    if (response.status === 400) throw new TypeError(message);
    throw new Error(
      `dev gateway admin: ${method} /__admin/${route} answered HTTP ${response.status}: ${message}` +
        (response.status === 404 ? " (was the gateway started with admin: true / --admin?)" : ""),
    );
  }
  const done = async (response: Promise<Response>) => {
    await (await response).body?.cancel();
  };

  return {
    url: base,
    stats: async () => (await (await call("GET", "stats")).json()) as DevGatewayStats,
    resetStats: () => done(call("POST", "reset-stats")),
    setFaults: (faults) => done(call("POST", "faults", faults)),
    revokeAll: () => done(call("POST", "revoke")),
    issueToken: async (opts) => {
      const answer = await call("POST", "tokens", opts ?? {});
      return ((await answer.json()) as { accessToken: string }).accessToken;
    },
    stop: async () => {
      try {
        await done(call("POST", "stop"));
      } catch (error) {
        // Already stopped: stop() is idempotent.
        if (await refusesConnections(base)) return;
        throw error;
      }
      const deadline = Date.now() + STOP_WAIT_MS;
      while (!(await refusesConnections(base))) {
        if (Date.now() > deadline) throw new Error(`dev gateway at ${base} did not stop`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
