/**
 * Request overhead: the runtime's request path against the limit, a raw `fetch` with a fixed
 * Bearer token, on the same route of the same gateway, in interleaved rounds. Runtime-neutral:
 * Bun runs it with @openclaw/auth-runtime, the Node child with @openclaw/auth-runtime-node.
 */
import type { PeerCall } from "./peers.ts";
import {
  alternatingBatches,
  interleavedRounds,
  median,
  medianExtraMicros,
  medianRatio,
  ratioSpread,
} from "./rounds.ts";

/**
 * The part of the public API this benchmark calls, typed structurally: the Bun and the Node
 * package each have their own (nominal) TokenManager class, so neither's `AuthRuntime` fits both.
 */
export interface RequestRuntime<Config> {
  createEnvConfig(env: Record<string, string>, options: { envFile: false }): Config;
  getAccessToken(options: { config: Config }): Promise<string>;
  requestApiWithAutoRefresh(options: {
    config: Config;
    url: string;
    fetch?: () => Promise<Response>;
  }): Promise<{ body: string }>;
  createAuthFetch(options: {
    config: Config;
  }): (input: string) => Promise<{ text(): Promise<string> }>;
}

export interface RequestOverheadOptions {
  /** The gateway's base URL (AUTH_BASE). */
  readonly gatewayUrl: string;
  readonly clientKey: string;
  /** An empty cache directory of this run. */
  readonly cacheDir: string;
  readonly rounds: number;
  readonly roundMs: number;
  /** Requests in flight at once. @default 1 */
  readonly concurrency?: number;
}

export interface RequestOverheadResult {
  /** Median per-round throughput, requests per second. */
  readonly rawFetchOpsPerSec: number;
  readonly requestApiOpsPerSec: number;
  readonly authFetchOpsPerSec: number;
  /** Median over rounds of requestApiWithAutoRefresh / raw fetch throughput. */
  readonly requestOverheadRatio: number;
  /** Median over rounds of authFetch / raw fetch throughput. */
  readonly authFetchOverheadRatio: number;
  /** Interquartile range over rounds of the two ratios above: their round-to-round scatter. */
  readonly requestOverheadSpread: number;
  readonly authFetchOverheadSpread: number;
  /** Median over rounds of the microseconds requestApiWithAutoRefresh adds to a raw fetch. */
  readonly requestOverheadMicros: number;
  readonly authFetchOverheadMicros: number;
  /**
   * The library's own work per call, without the network: requestApiWithAutoRefresh with an
   * injected fetch that answers a canned Response, minus that fetch alone (median over rounds).
   */
  readonly requestOwnMicros: number;
  /** Each peer's figures against raw fetch, measured in the same rounds as ours. */
  readonly peers: Readonly<Record<string, PeerFigures>>;
}

/** A peer against raw fetch. */
export interface PeerFigures {
  readonly opsPerSec: number;
  /** Median over rounds of peer / raw fetch throughput. */
  readonly ratio: number;
  readonly spread: number;
  readonly extraMicros: number;
}

/**
 * Rounds of alternating batches per round of the options (`rounds`): a full run's 15 give 600
 * rounds of 20 calls per variant. On the 2-core development machine at a load average of 45-60
 * (other work running), two such runs gave ratios 0.001-0.054 apart; the 15 rounds of 200 ms
 * (mitata) used before moved them by up to 0.25 at lower load.
 */
const BATCH_ROUNDS_PER_ROUND = 40;

/** The route every variant calls: a Bearer-protected GET whose small JSON body is read as text. */
export const ROUTE = "/echo";

/**
 * Measures the three ways to call {@link ROUTE}, and each of `peers`, in the same interleaved
 * rounds. Every variant reads the whole body as text, as `requestApiWithAutoRefresh` does, so
 * the comparison is of equal work.
 */
export async function measureRequestOverhead<Config>(
  runtime: RequestRuntime<Config>,
  options: RequestOverheadOptions,
  peers: Readonly<Record<string, PeerCall>> = {},
): Promise<RequestOverheadResult> {
  const config = runtime.createEnvConfig(
    {
      CLIENT_KEY: options.clientKey,
      AUTH_BASE: options.gatewayUrl,
      AUTH_CACHE_DIR: options.cacheDir,
    },
    { envFile: false },
  );
  // The fixed token of the raw variant is the runtime's own, so both send the same header.
  const token = await runtime.getAccessToken({ config });
  const url = `${options.gatewayUrl}${ROUTE}`;
  const authorization = `Bearer ${token}`;
  const authFetch = runtime.createAuthFetch({ config });

  const peerVariants = Object.fromEntries(
    Object.entries(peers).map(([name, call]) => [`peer_${name}`, () => call(url)]),
  );
  const raw = async () => (await fetch(url, { headers: { authorization } })).text();
  const variants: Record<string, () => Promise<string>> = {
    raw,
    requestApi: async () => (await runtime.requestApiWithAutoRefresh({ config, url: ROUTE })).body,
    authFetch: async () => (await authFetch(ROUTE)).text(),
    ...peerVariants,
  };
  // Every variant once before timing: a wrong status would make the comparison meaningless.
  for (const [name, run] of Object.entries(variants)) {
    const body = await run();
    if (!body.includes('"path":"/echo"')) {
      throw new Error(`request overhead: the ${name} variant did not get the echo answer`);
    }
  }

  // Short alternating batches, many of them: see alternatingBatches.
  const result = await alternatingBatches(variants, {
    rounds: options.rounds * BATCH_ROUNDS_PER_ROUND,
    batch: Math.max(1, Math.round(options.roundMs / 10)),
    concurrency: options.concurrency ?? 1,
  });
  // Last (an idle keep-alive socket may be closed by the server meanwhile): the same answer
  // from memory, for the library's own cost without the network stack.
  const answer = await raw();
  // With the Content-Length the gateway's answer had: the runtime reads a body of known length
  // with the runtime's own reader and streams (counting bytes) only one of unknown length.
  const length = String(new TextEncoder().encode(answer).byteLength);
  const cannedFetch = async () =>
    new Response(answer, { status: 200, headers: { "content-length": length } });
  const own = await interleavedRounds(
    {
      canned: async () => (await cannedFetch()).text(),
      requestApi: async () =>
        (await runtime.requestApiWithAutoRefresh({ config, url: ROUTE, fetch: cannedFetch })).body,
    },
    { rounds: options.rounds, roundMs: options.roundMs / 2 },
  );

  const medianOpsPerSec = (name: string) => median(result.perRound.map((row) => row[name] ?? 0));
  const peerFigures: Record<string, PeerFigures> = {};
  for (const name of Object.keys(peers)) {
    const key = `peer_${name}`;
    peerFigures[name] = {
      opsPerSec: medianOpsPerSec(key),
      ratio: medianRatio(result.perRound, key, "raw"),
      spread: ratioSpread(result.perRound, key, "raw"),
      extraMicros: medianExtraMicros(result.perRound, key, "raw"),
    };
  }
  return {
    peers: peerFigures,
    rawFetchOpsPerSec: medianOpsPerSec("raw"),
    requestApiOpsPerSec: medianOpsPerSec("requestApi"),
    authFetchOpsPerSec: medianOpsPerSec("authFetch"),
    requestOverheadRatio: medianRatio(result.perRound, "requestApi", "raw"),
    authFetchOverheadRatio: medianRatio(result.perRound, "authFetch", "raw"),
    requestOverheadSpread: ratioSpread(result.perRound, "requestApi", "raw"),
    authFetchOverheadSpread: ratioSpread(result.perRound, "authFetch", "raw"),
    requestOverheadMicros: medianExtraMicros(result.perRound, "requestApi", "raw"),
    authFetchOverheadMicros: medianExtraMicros(result.perRound, "authFetch", "raw"),
    requestOwnMicros: medianExtraMicros(own.perRound, "requestApi", "canned"),
  };
}
