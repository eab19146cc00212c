/**
 * The soak: one process calls `requestApiWithAutoRefresh` on GET /echo, in a few concurrent
 * chains, for at least `requests` calls and `expiries` token expiries, against a gateway whose
 * tokens live a few seconds, while refusals are injected (every token revoked, or the 200
 * `{"code":401,"msg":"token expired"}` answer). It counts failed calls and the gateway's token
 * requests, and reads RSS (after a full GC) once warm and at the end. Runs on Bun and Node with
 * the public API only.
 *
 * The expected token requests are counted from the schedule, not from the runtime's events: each
 * refusal needs one, and each expiry one. After a refusal, the soak waits until the token in use
 * changes (`getAccessTokenInfo`, a memory read) and times the next refusal from that token's
 * `expiresAt` (the gateway's lifetime) to fall midway between two expiries, m = 1 or 2 expiries
 * later. So a token request a little late or early still falls on the side it belongs to, and an
 * extra one shows.
 */
import { connectDevGateway } from "@openclaw/dev-gateway/remote";
import { ROUTE } from "./request-overhead.ts";

/** The part of the public API the soak calls (the Bun and the Node package alike). */
export interface SoakRuntime<Config> {
  createEnvConfig(env: Record<string, string>, options: { envFile: false }): Config;
  requestApiWithAutoRefresh(options: {
    config: Config;
    url: string;
  }): Promise<{ status: number; body: string }>;
  getAccessTokenInfo(options: {
    config: Config;
  }): Promise<{ readonly accessToken: string; readonly expiresAt: number }>;
}

export interface SoakOptions {
  /** The soak gateway's base URL: started with admin on and a token lifetime of `ttlSec`. */
  readonly gatewayUrl: string;
  readonly clientKey: string;
  /** An empty cache directory of this run. */
  readonly cacheDir: string;
  /** The gateway's token lifetime. */
  readonly ttlSec: number;
  /** AUTH_MIN_TTL_SEC: a token is served while more than this (plus jitter) remains. */
  readonly minTtlSec: number;
  /** Calls at least, after the warm-up. */
  readonly requests: number;
  /** Token expiries at least, after the warm-up. */
  readonly expiries: number;
  /** Calls of the warm-up (not counted), before RSS is first read. */
  readonly warmupRequests: number;
  /** Chains of calls in flight at once. */
  readonly concurrency: number;
}

export interface SoakResult {
  /** Calls after the warm-up. */
  readonly requests: number;
  /** Calls that did not end in the echo answer (an error, or any other status or body). */
  readonly failedCalls: number;
  /** Token requests the gateway received after the warm-up. */
  readonly tokenRequests: number;
  /** Expiries plus refusals of the schedule. */
  readonly expectedTokenRequests: number;
  readonly expiries: number;
  readonly refusals: number;
  /** RSS after a full GC, once warm and at the end, in MB. */
  readonly rssWarmMb: number;
  readonly rssEndMb: number;
  readonly rssGrowthMb: number;
  readonly seconds: number;
}

/**
 * The runtime refreshes each token when `minTtlSec` plus up to this fraction of it remains
 * (a margin drawn once per process; the runtime's REFRESH_JITTER), so a token is used for
 * between `ttlSec - 1.1 * minTtlSec` and `ttlSec - minTtlSec`.
 */
const REFRESH_JITTER = 0.1;

/** How many expiries each segment between two refusals spans, in turn. */
const EXPIRIES_PER_SEGMENT = [1, 2] as const;

const MB = 1024 * 1024;

/** A full, synchronous garbage collection, on Bun or on Node (`--expose-gc`). */
function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) bun.gc(true);
  else (globalThis as { gc?: () => void }).gc?.();
}

function rssMb(): number {
  collectGarbage();
  return process.memoryUsage().rss / MB;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the soak; see the module comment. */
export async function soak<Config>(
  runtime: SoakRuntime<Config>,
  options: SoakOptions,
): Promise<SoakResult> {
  const gateway = connectDevGateway(options.gatewayUrl);
  const config = runtime.createEnvConfig(
    {
      CLIENT_KEY: options.clientKey,
      AUTH_BASE: options.gatewayUrl,
      AUTH_CACHE_DIR: options.cacheDir,
      AUTH_MIN_TTL_SEC: String(options.minTtlSec),
    },
    { envFile: false },
  );
  const lifetimeSec = options.ttlSec - options.minTtlSec * (1 + REFRESH_JITTER / 2);
  if (!(options.ttlSec - options.minTtlSec * (1 + REFRESH_JITTER) > 0)) {
    throw new Error("soak: ttlSec must exceed 1.1 x minTtlSec");
  }

  let calls = 0;
  let failed = 0;
  let stopping = false;
  const chain = async () => {
    while (!stopping) {
      try {
        const response = await runtime.requestApiWithAutoRefresh({ config, url: ROUTE });
        if (response.status !== 200 || !response.body.includes('"path":"/echo"')) failed++;
      } catch {
        failed++;
      }
      calls++;
    }
  };
  const chains = Array.from({ length: options.concurrency }, chain);

  const refusals: readonly (() => Promise<void>)[] = [
    () => gateway.revokeAll(),
    () => gateway.setFaults([{ kind: "token-expired-body", route: ROUTE, count: 1 }]),
  ];
  /** The token in use once it is no longer `previous`: the start of a segment. */
  const nextToken = async (previous: string | undefined) => {
    for (;;) {
      const info = await runtime.getAccessTokenInfo({ config });
      if (info.accessToken !== previous) return info;
      await sleep(2);
    }
  };
  let warm: { calls: number; failed: number; rssMb: number; at: number } | undefined;
  let expiries = 0;
  let refused = 0;
  let segment = 0;
  let rssEndMb = Number.NaN;
  let token: string | undefined;
  // Measured: from the first refusal after the warm-up to the middle of a segment, so every
  // token requested in it is for one of the segments' expiries or one of the refusals.
  try {
    for (;;) {
      // Segment `segment` starts with a new token: the first one, or the one after a refusal.
      const info = await nextToken(token);
      token = info.accessToken;
      const span = EXPIRIES_PER_SEGMENT[segment % EXPIRIES_PER_SEGMENT.length] as number;
      const firstExpiryMs = (info.expiresAt - options.minTtlSec * (1 + REFRESH_JITTER / 2)) * 1000;
      await sleep(firstExpiryMs + (span - 0.5) * lifetimeSec * 1000 - Date.now());
      if (warm) {
        expiries += span;
        if (calls - warm.calls >= options.requests && expiries >= options.expiries) {
          // Read while the chains still run, as the warm figure was.
          rssEndMb = rssMb();
          break;
        }
      } else if (calls >= options.warmupRequests) {
        warm = { calls: 0, failed, rssMb: rssMb(), at: performance.now() };
        await gateway.resetStats();
        warm.calls = calls;
      }
      token = (await runtime.getAccessTokenInfo({ config })).accessToken;
      await (refusals[segment % refusals.length] as () => Promise<void>)();
      if (warm) refused += 1;
      segment++;
    }
  } finally {
    stopping = true;
    await Promise.all(chains);
    await gateway.setFaults([]);
  }
  const stats = await gateway.stats();
  if (!warm) throw new Error("soak: never warm");
  return {
    requests: calls - warm.calls,
    failedCalls: failed - warm.failed,
    tokenRequests: stats.tokensIssued,
    expectedTokenRequests: expiries + refused,
    expiries,
    refusals: refused,
    rssWarmMb: warm.rssMb,
    rssEndMb,
    rssGrowthMb: rssEndMb - warm.rssMb,
    seconds: (performance.now() - warm.at) / 1000,
  };
}
