/**
 * The soak: one process calls `requestApiWithAutoRefresh` on GET /echo, in a few concurrent
 * chains, for at least `requests` calls and `expiries` token expiries, against a gateway whose
 * tokens live a few seconds, while refusals are injected (every token revoked, or the 200
 * `{"code":401,"msg":"token expired"}` answer). It counts failed calls and the gateway's token
 * requests, and samples memory (after a full GC) all through the measured part. Runs on Bun and
 * Node with the public API only.
 *
 * Memory is sampled every SAMPLE_MS, not read twice: RSS after a forced GC moves by several MB
 * between readings of one process (the allocator keeps or returns pages as it likes), so two
 * readings cannot tell a slow growth from that scatter; runs of this soak read +3.5 and +5.4 MB
 * on Bun, +4.8 and -10.3 MB on Node. So growth is the median of the last quarter's samples minus
 * the median of the first quarter's (a few stray readings move neither), and beside it the
 * least-squares slope over all samples, in MB per 100,000 calls (a steady leak shows there even
 * when the quarters' medians are close). The JS heap in use (`heapUsed`: JSC's heap size on Bun,
 * V8's on Node) is sampled too: objects our code keeps alive show there without the allocator's
 * scatter. Two things still move the heap figure, neither a leak: on Node, undici keeps each request's signal
 * (an EventTarget with its `abort` listener, a WeakRef, a Map) until a FinalizationRegistry
 * callback runs after a GC, so a sample taken right after `gc()` holds the last few hundred
 * requests' (about ±0.5 MB; they are gone once the callbacks ran); on Bun, JSC drops about 1 MB
 * of compiled code some 100,000 calls in, then the heap's extra memory grows by a few hundred KB,
 * more slowly the longer it runs, while object counts stay flat; it stays flat with JSC's
 * optimizing JIT off (BUN_JSC_useDFGJIT=0), so it is compiled code.
 * SOAK_SAMPLES_OUT=<path> writes the samples as JSON to <path>.bun.json or
 * <path>.node.json, to look at them.
 *
 * The expected token requests are counted from the schedule, not from the runtime's events: each
 * refusal needs one, and each expiry one. After a refusal, the soak waits until the token in use
 * changes (`getAccessTokenInfo`, a memory read) and times the next refusal from that token's
 * `expiresAt` (the gateway's lifetime) to fall midway between two expiries, m = 1 or 2 expiries
 * later. So a token request a little late or early still falls on the side it belongs to, and an
 * extra one shows.
 */
import { writeFileSync } from "node:fs";
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
  /** RSS after a full GC: medians of the first and the last quarter of the samples, in MB. */
  readonly rssWarmMb: number;
  readonly rssEndMb: number;
  /** `rssEndMb - rssWarmMb`: the growth from warm to end, robust against scatter. */
  readonly rssGrowthMb: number;
  /** RSS's least-squares slope over all samples, in MB per 100,000 calls. */
  readonly rssSlopeMbPer100k: number;
  /** The same three for the JS heap in use (`process.memoryUsage().heapUsed`). */
  readonly heapWarmMb: number;
  readonly heapEndMb: number;
  readonly heapGrowthMb: number;
  readonly heapSlopeMbPer100k: number;
  /** Memory samples taken (one when warm, one at the end, one every SAMPLE_MS between). */
  readonly memorySamples: number;
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

/** How often memory is sampled during the measured part (a full GC each: ~1 ms on a small heap). */
const SAMPLE_MS = 250;

/** One reading of memory after a full GC, at `calls` calls since the start. */
interface MemorySample {
  readonly calls: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

function sampleMemory(calls: number): MemorySample {
  collectGarbage();
  const usage = process.memoryUsage();
  return { calls, rssMb: usage.rss / MB, heapMb: usage.heapUsed / MB };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Medians of the first and the last quarter of the samples (at least one each), and the slope. */
function memoryTrend(
  samples: readonly MemorySample[],
  pick: (sample: MemorySample) => number,
): { warm: number; end: number; slopePer100k: number } {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const warm = median(samples.slice(0, quarter).map(pick));
  const end = median(samples.slice(-quarter).map(pick));
  const meanX = samples.reduce((sum, s) => sum + s.calls, 0) / samples.length;
  const meanY = samples.reduce((sum, s) => sum + pick(s), 0) / samples.length;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    sxy += (s.calls - meanX) * (pick(s) - meanY);
    sxx += (s.calls - meanX) ** 2;
  }
  return { warm, end, slopePer100k: sxx > 0 ? (sxy / sxx) * 100_000 : 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A failed call's class and code only: enough to tell a refusal from a timeout, nothing secret. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return "a thrown non-Error";
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${error.name} (${code})` : error.name;
}

let failuresSaid = 0;
/** The first few failed calls, on stderr (the progress channel), so a failed run says why. */
function sayFailure(what: string) {
  if (failuresSaid++ < 5) console.error(`soak: a call failed: ${what}`);
}

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
        if (response.status !== 200 || !response.body.includes('"path":"/echo"')) {
          failed++;
          sayFailure(`an answer of status ${response.status}`);
        }
      } catch (error) {
        failed++;
        sayFailure(describeError(error));
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
  let warm: { calls: number; failed: number; at: number } | undefined;
  const samples: MemorySample[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  let expiries = 0;
  let refused = 0;
  let segment = 0;
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
          // Read while the chains still run, as every sample was.
          clearInterval(sampler);
          samples.push(sampleMemory(calls));
          break;
        }
      } else if (calls >= options.warmupRequests) {
        samples.push(sampleMemory(calls));
        sampler = setInterval(() => samples.push(sampleMemory(calls)), SAMPLE_MS);
        warm = { calls: 0, failed, at: performance.now() };
        await gateway.resetStats();
        warm.calls = calls;
      }
      token = (await runtime.getAccessTokenInfo({ config })).accessToken;
      await (refusals[segment % refusals.length] as () => Promise<void>)();
      if (warm) refused += 1;
      segment++;
    }
  } finally {
    clearInterval(sampler);
    stopping = true;
    await Promise.all(chains);
    await gateway.setFaults([]);
  }
  const stats = await gateway.stats();
  if (!warm) throw new Error("soak: never warm");
  const seconds = (performance.now() - warm.at) / 1000;
  const out = process.env.SOAK_SAMPLES_OUT;
  if (out) {
    const runtimeName = "Bun" in globalThis ? "bun" : "node";
    writeFileSync(`${out}.${runtimeName}.json`, JSON.stringify({ seconds, samples }));
  }
  const rss = memoryTrend(samples, (s) => s.rssMb);
  const heap = memoryTrend(samples, (s) => s.heapMb);
  return {
    requests: calls - warm.calls,
    failedCalls: failed - warm.failed,
    tokenRequests: stats.tokensIssued,
    expectedTokenRequests: expiries + refused,
    expiries,
    refusals: refused,
    rssWarmMb: rss.warm,
    rssEndMb: rss.end,
    rssGrowthMb: rss.end - rss.warm,
    rssSlopeMbPer100k: rss.slopePer100k,
    heapWarmMb: heap.warm,
    heapEndMb: heap.end,
    heapGrowthMb: heap.end - heap.warm,
    heapSlopeMbPer100k: heap.slopePer100k,
    memorySamples: samples.length,
    seconds,
  };
}
