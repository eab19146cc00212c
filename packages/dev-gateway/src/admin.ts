/**
 * The opt-in admin API (`admin: true`, bin flag `--admin`): a gateway's test controls over HTTP,
 * for a test process that runs the gateway in a child process (Node cannot run Bun.serve).
 * Admin requests are not counted in the stats and no fault applies to them.
 */
import type { Fault } from "./faults.ts";
import { json, methodNotAllowed } from "./http.ts";
import type { DevGatewayStats } from "./stats.ts";

/** Every admin route starts with this prefix. */
export const ADMIN_PREFIX = "/__admin/";

/** The controls the admin routes drive (a subset of `DevGateway`). */
export interface AdminControls {
  stats(): DevGatewayStats;
  resetStats(): void;
  revokeAll(): void;
  setFaults(faults: readonly Fault[]): void;
  issueToken(opts?: { ttlSec?: number }): string;
  stop(): Promise<void>;
}

interface AdminRoute {
  readonly method: "GET" | "POST";
  /** `body` is the parsed JSON body, `undefined` when there is none. */
  handle(controls: AdminControls, body: unknown): Response;
}

/** How long a stop waits, so that its own 202 answer gets out first. */
const STOP_DELAY_MS = 50;

const noContent = () => new Response(null, { status: 204 });

/**
 * The admin routes, under {@link ADMIN_PREFIX}.
 *
 * | route                                  | does                                             |
 * | -------------------------------------- | ------------------------------------------------ |
 * | `GET /__admin/stats`                   | 200 the stats                                    |
 * | `POST /__admin/reset-stats`            | 204, counters back to zero                       |
 * | `POST /__admin/faults` `[fault, ...]`  | 204, replaces the fault list (400 on a bad one)  |
 * | `POST /__admin/revoke`                 | 204, every token issued so far is refused        |
 * | `POST /__admin/tokens` `{"ttlSec"?}`   | 200 `{"accessToken"}`, counted nowhere           |
 * | `POST /__admin/stop`                   | 202, then the gateway stops listening            |
 */
const ROUTES: Readonly<Record<string, AdminRoute>> = {
  stats: { method: "GET", handle: (controls) => json(200, controls.stats()) },
  "reset-stats": {
    method: "POST",
    handle: (controls) => {
      controls.resetStats();
      return noContent();
    },
  },
  faults: {
    method: "POST",
    handle: (controls, body) => {
      controls.setFaults((body ?? []) as readonly Fault[]);
      return noContent();
    },
  },
  revoke: {
    method: "POST",
    handle: (controls) => {
      controls.revokeAll();
      return noContent();
    },
  },
  tokens: {
    method: "POST",
    handle: (controls, body) => {
      const ttlSec = (body as { ttlSec?: number } | undefined)?.ttlSec;
      return json(200, {
        accessToken: controls.issueToken(ttlSec === undefined ? {} : { ttlSec }),
      });
    },
  },
  stop: {
    method: "POST",
    handle: (controls) => {
      setTimeout(() => void controls.stop(), STOP_DELAY_MS);
      return json(202, { stopping: true });
    },
  },
};

/**
 * Answers a request whose path starts with {@link ADMIN_PREFIX}. A bad fault list or ttl is a 400
 * carrying the TypeError's message.
 *
 * @example
 * if (path.startsWith(ADMIN_PREFIX)) return handleAdmin(request, path, gateway);
 */
export async function handleAdmin(
  request: Request,
  path: string,
  controls: AdminControls,
): Promise<Response> {
  const route = ROUTES[path.slice(ADMIN_PREFIX.length)];
  if (!route) return json(404, { error: "not_found", message: `no admin route for ${path}` });
  if (request.method !== route.method) return methodNotAllowed(request, [route.method]);
  const text = await request.text();
  let body: unknown;
  try {
    body = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    return json(400, { error: "invalid_request", message: "body must be JSON" });
  }
  try {
    return route.handle(controls, body);
  } catch (error) {
    if (error instanceof TypeError) {
      return json(400, { error: "invalid_request", message: error.message });
    }
    throw error;
  }
}
