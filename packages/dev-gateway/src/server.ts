/** The dev gateway itself: a Bun.serve HTTP server wiring options, faults, tokens and routes. */
import { ADMIN_PREFIX, handleAdmin } from "./admin.ts";
import type { GatewayContext } from "./context.ts";
import { type Fault, FaultPlan, type TerminalFault } from "./faults.ts";
import { dropConnection, json } from "./http.ts";
import { type DevGatewayOptions, resolveOptions, validateTtl } from "./options.ts";
import { handleRoute } from "./routes.ts";
import { type DevGatewayStats, StatsRecorder } from "./stats.ts";
import { TokenAuthority } from "./tokens.ts";

/** A running dev gateway. */
export interface DevGateway {
  /**
   * Base URL without a trailing slash, e.g. "http://127.0.0.1:43127"; for a wildcard bind
   * address (0.0.0.0, ::) the loopback address, which a client on this machine can use.
   */
  readonly url: string;
  readonly port: number;
  /** A snapshot copy of the counters. */
  stats(): DevGatewayStats;
  resetStats(): void;
  /** Every token issued so far is refused with 403 from now on; tokens issued later are fine. */
  revokeAll(): void;
  /** Replaces the fault list; `[]` clears it. Throws TypeError on a malformed fault. */
  setFaults(faults: readonly Fault[]): void;
  /** Mints a valid token directly (for tests); counts nothing. */
  issueToken(opts?: { ttlSec?: number }): string;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/** The `sub` of tokens minted with `issueToken()`, which have no client key behind them. */
const TEST_SUBJECT = "dev-gateway-test";

const STATUS_ERRORS: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  429: "rate_limited",
  500: "internal_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout",
};

function faultResponse(fault: TerminalFault): Response {
  switch (fault.kind) {
    case "status":
      return json(fault.status, {
        error: STATUS_ERRORS[fault.status] ?? `http_${fault.status}`,
        message: `injected fault: HTTP ${fault.status}`,
      });
    case "rate-limit":
      return json(
        429,
        { error: "rate_limited", message: "injected fault: too many requests" },
        { "retry-after": String(fault.retryAfterSec) },
      );
    case "token-expired-body":
      return json(200, { code: 401, msg: "token expired" });
    case "drop":
      return dropConnection();
  }
}

/**
 * The host a client on this machine uses for a server bound to `hostname`: a wildcard address
 * listens on loopback too, and is no address to send a request to (the runtime refuses plain
 * http to anything but loopback, so `AUTH_BASE=http://0.0.0.0:…` would not work).
 */
function reachableHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  if (hostname.includes(":") && !hostname.startsWith("[")) return `[${hostname}]`;
  return hostname;
}

/**
 * Starts a dev gateway on loopback. Synchronous: the server is listening when this returns.
 *
 * @example
 * const gateway = startDevGateway({ ttlSec: 60 });
 * const session = await fetch(`${gateway.url}/auth/session`, {
 *   method: "POST",
 *   body: JSON.stringify({ clientKey: DEFAULT_DEV_CLIENT_KEY }),
 * });
 * const { accessToken } = await session.json();
 * gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session", count: 1 }]);
 * await gateway.stop();
 */
export function startDevGateway(options?: DevGatewayOptions): DevGateway {
  const resolved = resolveOptions(options);
  const context: GatewayContext = {
    options: resolved,
    authority: new TokenAuthority(),
    stats: new StatsRecorder(),
  };
  const faults = new FaultPlan();

  const listener = Bun.serve({
    port: resolved.port,
    hostname: resolved.hostname,
    // Bun's development mode answers errors with an HTML page; the gateway speaks JSON only.
    development: false,
    // Outside development mode Bun binds with SO_REUSEPORT, so a second gateway on a busy port
    // would start too and take half the requests, refusing the first one's tokens.
    reusePort: false,
    async fetch(request, server) {
      const url = new URL(request.url);
      if (resolved.admin && url.pathname.startsWith(ADMIN_PREFIX)) {
        // `gateway` is assigned below before any request can arrive.
        return handleAdmin(request, url.pathname, gateway);
      }
      context.stats.request(url.pathname);
      const decision = faults.decide(url.pathname);
      context.stats.faultsInjected(decision.applied);
      if (decision.delayMs > 0) {
        // A long latency fault must not be cut short by the idle timeout and look like a drop.
        server.timeout(request, 0);
        await Bun.sleep(decision.delayMs);
      }
      if (decision.terminal !== null) return faultResponse(decision.terminal);
      return handleRoute(request, url, context);
    },
    error() {
      // The error itself is not echoed: it could carry request data.
      return json(500, { error: "internal_error", message: "dev gateway failed" });
    },
  });

  const port = listener.port;
  if (port === undefined) throw new Error("dev gateway: Bun.serve did not bind a TCP port");
  const gateway: DevGateway = {
    url: `http://${reachableHost(resolved.hostname)}:${port}`,
    port,
    stats: () => context.stats.snapshot(),
    resetStats: () => context.stats.reset(),
    revokeAll: () => context.authority.revokeAll(),
    setFaults: (list) => faults.set(list),
    issueToken: (opts) => {
      const ttlSec = opts?.ttlSec ?? resolved.ttlSec;
      validateTtl(ttlSec, "issueToken opts.ttlSec");
      return context.authority.issue(ttlSec, TEST_SUBJECT);
    },
    stop: () => listener.stop(true),
  };
  return gateway;
}
