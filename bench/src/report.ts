/** The benchmark results: the JSON keys and the side-by-side table. */
import type { PeerFigures } from "./request-overhead.ts";
import type { SoakResult } from "./soak.ts";

/** Every figure of one run, by its JSON key. */
export type Results = Record<string, number>;

/** Keys every full or quick run emits (the smoke test checks them). */
export const REQUIRED_KEYS = [
  "request_overhead_ratio",
  "authfetch_overhead_ratio",
  "node_request_overhead_ratio",
  "node_authfetch_overhead_ratio",
  "warm_get_ops_per_s",
  "file_hit_ops_per_s",
  "warm_get_with_subscriber_ratio",
  "request_with_subscriber_ratio",
  "storm_in_process_token_requests",
  "storm_processes_token_requests",
  "naive_storm_processes_token_requests",
  "oauth_storm_processes_token_requests",
  "cli_token_vs_bun_start",
  "cli_token_rss_mb",
  "warm_script_vs_raw_read",
  "warm_script_rss_delta_mb",
  "consumer_script_vs_raw_read",
  "consumer_script_rss_delta_mb",
  "storm_processes_wall_vs_naive",
  "storm_waiter_cpu_ms",
  "storm_holder_cpu_ms",
  "naive_storm_cpu_ms",
  "fleet_storm_wall_vs_naive",
  "peer_ky_ratio",
  "peer_axios_ratio",
  "node_peer_ky_ratio",
  "node_peer_axios_ratio",
  "peer_lead_bun",
  "peer_lead_node",
  "peer_openid_storm_processes_token_requests",
  "soak_rss_growth_mb",
  "node_soak_rss_growth_mb",
  "soak_heap_growth_mb",
  "node_soak_heap_growth_mb",
  "soak_rss_slope_mb_per_100k",
  "node_soak_rss_slope_mb_per_100k",
  "soak_failed_calls",
  "node_soak_failed_calls",
  "soak_token_requests",
  "node_soak_token_requests",
  "soak_expected_token_requests",
  "node_soak_expected_token_requests",
] as const;

/**
 * The peers' keys of one runtime (`prefix` "" for Bun, "node_" for Node): `<prefix>peer_<name>_*`
 * for each, and `peer_lead_bun` / `peer_lead_node`, our request ratio minus the best peer's.
 */
export function peerLead(
  prefix: "" | "node_",
  r: {
    readonly requestOverheadRatio: number;
    readonly peers: Readonly<Record<string, PeerFigures>>;
  },
): Results {
  const out: Results = {};
  for (const [name, peer] of Object.entries(r.peers)) {
    out[`${prefix}peer_${name}_req_per_s`] = peer.opsPerSec;
    out[`${prefix}peer_${name}_ratio`] = peer.ratio;
    out[`${prefix}peer_${name}_spread`] = peer.spread;
    out[`${prefix}peer_${name}_us`] = peer.extraMicros;
  }
  const best = Math.max(...Object.values(r.peers).map((peer) => peer.ratio));
  out[prefix === "" ? "peer_lead_bun" : "peer_lead_node"] = r.requestOverheadRatio - best;
  return out;
}

/** The soak's keys of one runtime (`prefix` "" for Bun, "node_" for Node). */
export function soakResults(prefix: "" | "node_", r: SoakResult): Results {
  return {
    [`${prefix}soak_requests`]: r.requests,
    [`${prefix}soak_failed_calls`]: r.failedCalls,
    [`${prefix}soak_token_requests`]: r.tokenRequests,
    [`${prefix}soak_expected_token_requests`]: r.expectedTokenRequests,
    [`${prefix}soak_expiries`]: r.expiries,
    [`${prefix}soak_refusals`]: r.refusals,
    [`${prefix}soak_rss_warm_mb`]: r.rssWarmMb,
    [`${prefix}soak_rss_end_mb`]: r.rssEndMb,
    [`${prefix}soak_rss_growth_mb`]: r.rssGrowthMb,
    [`${prefix}soak_rss_slope_mb_per_100k`]: r.rssSlopeMbPer100k,
    [`${prefix}soak_heap_warm_mb`]: r.heapWarmMb,
    [`${prefix}soak_heap_end_mb`]: r.heapEndMb,
    [`${prefix}soak_heap_growth_mb`]: r.heapGrowthMb,
    [`${prefix}soak_heap_slope_mb_per_100k`]: r.heapSlopeMbPer100k,
    [`${prefix}soak_memory_samples`]: r.memorySamples,
    [`${prefix}soak_seconds`]: r.seconds,
  };
}

const int = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "-" : Math.round(n).toLocaleString("en-US");
const fixed = (digits: number) => (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits);
/** The interquartile range of the round ratios, when measured. */
const spread = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "" : `, IQR ${n.toFixed(3)}`;
/** Extra microseconds per call, signed. */
const extraUs = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "" : ` (${n >= 0 ? "+" : ""}${n.toFixed(1)} us)`;

interface Row {
  readonly what: string;
  readonly ours: string;
  readonly limit: string;
  readonly naive: string;
  readonly ratio: string;
  readonly target: string;
}

/**
 * A request path against raw fetch: `ours` and `raw` are req/s; `<prefix>_overhead_ratio`,
 * `_us` and `_spread` are the keys of measureRequestOverhead's figures.
 */
function overheadRow(
  r: Results,
  what: string,
  prefix: string,
  ours: number | undefined,
  raw: number | undefined,
  target: string,
): Row {
  const ratio = fixed(3)(r[`${prefix}_overhead_ratio`]);
  return {
    what: `GET /echo, ${what}, req/s`,
    ours: int(ours),
    limit: `${int(raw)} raw fetch`,
    naive: "",
    ratio: `${ratio}${extraUs(r[`${prefix}_overhead_us`])}${spread(r[`${prefix}_overhead_spread`])}`,
    target,
  };
}

/** A peer's request path against raw fetch: the keys peerLead writes. */
function peerRow(r: Results, what: string, prefix: string, raw: number | undefined): Row {
  return {
    what: `GET /echo, ${what}, req/s`,
    ours: int(r[`${prefix}_req_per_s`]),
    limit: `${int(raw)} raw fetch`,
    naive: "",
    ratio: `${fixed(3)(r[`${prefix}_ratio`])}${extraUs(r[`${prefix}_us`])}${spread(r[`${prefix}_spread`])}`,
    target: "(a peer)",
  };
}

const signedMb = (n: number | undefined) => `${(n ?? 0) >= 0 ? "+" : ""}${fixed(1)(n)} MB`;

/** The soak of one runtime: the keys soakResults writes. */
function soakRows(r: Results, runtime: string, prefix: string): Row[] {
  const key = (name: string) => r[`${prefix}soak_${name}`];
  return [
    {
      what: `soak (${runtime}): ${int(key("requests"))} calls in ${fixed(0)(key("seconds"))} s, failed calls`,
      ours: int(key("failed_calls")),
      limit: "0",
      naive: "",
      ratio: "",
      target: "0",
    },
    {
      what: `soak (${runtime}): token requests, against ${int(key("expiries"))} expiries + ${int(key("refusals"))} refusals`,
      ours: int(key("token_requests")),
      limit: int(key("expected_token_requests")),
      naive: "",
      ratio: "",
      target: "= expiries + refusals",
    },
    {
      what: `soak (${runtime}): RSS MB warm -> end (after GC, quarter medians of ${int(key("memory_samples"))} samples)`,
      ours: fixed(1)(key("rss_end_mb")),
      limit: `${fixed(1)(key("rss_warm_mb"))} warm`,
      naive: "",
      ratio: `${signedMb(key("rss_growth_mb"))}, slope ${signedMb(key("rss_slope_mb_per_100k"))} / 100k calls`,
      target: "<= +5 MB",
    },
    {
      what: `soak (${runtime}): JS heap used MB warm -> end (the same way)`,
      ours: fixed(1)(key("heap_end_mb")),
      limit: `${fixed(1)(key("heap_warm_mb"))} warm`,
      naive: "",
      ratio: `${signedMb(key("heap_growth_mb"))}, slope ${signedMb(key("heap_slope_mb_per_100k"))} / 100k calls`,
      target: "",
    },
  ];
}

/** A storm against the naive port, from the keys stormResults(prefix) writes. */
function stormRow(r: Results, what: string, prefix: string, target: string): Row {
  const ratio = fixed(2)(r[`${prefix}_wall_vs_naive`]);
  const requests = int(r[`${prefix}_vs_naive_token_requests`]);
  return {
    what: `${what}, wall to last token ms (${requests} token req)`,
    ours: int(r[`${prefix}_wall_ms`]),
    limit: `${int(r[`${prefix}_poll_wall_ms`])} polling only`,
    naive: int(r[`${prefix}_naive_wall_ms`]),
    ratio: `${ratio} (poll ${fixed(2)(r[`${prefix}_poll_wall_vs_naive`])})`,
    target,
  };
}

/** The table: our figure, the limit and the naive port's, side by side. */
export function formatTable(r: Results, header: readonly string[]): string {
  const raw = r.raw_fetch_req_per_s;
  const nodeRaw = r.node_raw_fetch_req_per_s;
  const rows: Row[] = [
    overheadRow(
      r,
      "requestApiWithAutoRefresh (Bun)",
      "request",
      r.request_api_req_per_s,
      raw,
      ">= 0.97",
    ),
    overheadRow(r, "authFetch (Bun)", "authfetch", r.authfetch_req_per_s, raw, ">= 0.97"),
    overheadRow(
      r,
      "requestApiWithAutoRefresh (Node)",
      "node_request",
      r.node_request_api_req_per_s,
      nodeRaw,
      ">= 0.93",
    ),
    overheadRow(
      r,
      "authFetch (Node)",
      "node_authfetch",
      r.node_authfetch_req_per_s,
      nodeRaw,
      ">= 0.90",
    ),
    peerRow(r, "ky + beforeRequest/afterResponse hooks (Bun)", "peer_ky", raw),
    peerRow(r, "axios + axios-auth-refresh (Bun)", "peer_axios", raw),
    peerRow(r, "ky + beforeRequest/afterResponse hooks (Node)", "node_peer_ky", nodeRaw),
    peerRow(r, "axios + axios-auth-refresh (Node)", "node_peer_axios", nodeRaw),
    {
      what: "requestApiWithAutoRefresh's ratio minus the best peer's",
      ours: fixed(3)(r.peer_lead_bun),
      limit: "",
      naive: "",
      ratio: `Node: ${fixed(3)(r.peer_lead_node)}`,
      target: ">= 0.10",
    },
    {
      what: "the library's own work per request (in-memory fetch), us",
      ours: fixed(2)(r.request_own_us),
      limit: "0",
      naive: "",
      ratio: `Node: ${fixed(2)(r.node_request_own_us)}`,
      target: "",
    },
    {
      what: "warm getAccessToken (memory), ops/s",
      ours: int(r.warm_get_ops_per_s),
      limit: "",
      naive: "(no memory tier)",
      ratio: "",
      target: ">= 1,000,000",
    },
    {
      what: "warm getAccessToken with an onEvent listener, ops/s",
      ours: int(r.warm_get_with_subscriber_ops_per_s),
      limit: `${int(r.warm_get_no_subscriber_ops_per_s)} without`,
      naive: "",
      ratio: `${fixed(3)(r.warm_get_with_subscriber_ratio)} (${(r.warm_get_subscriber_extra_ns ?? Number.NaN) >= 0 ? "+" : ""}${fixed(0)(r.warm_get_subscriber_extra_ns)} ns)`,
      target: "",
    },
    {
      what: "request's own work with an onEvent listener (canned answer)",
      // Left out, as the other rows are, when the events section did not run.
      ours: r.request_with_subscriber_ratio === undefined ? "-" : "",
      limit: "",
      naive: "",
      ratio: `${fixed(3)(r.request_with_subscriber_ratio)}${extraUs(r.request_subscriber_extra_us)}`,
      target: "",
    },
    {
      what: "cache-file hit, fresh runtime each call, ops/s",
      ours: int(r.file_hit_ops_per_s),
      limit: "",
      naive: int(r.naive_file_hit_ops_per_s),
      ratio: `${fixed(3)(r.file_hit_vs_naive_ratio)} vs naive`,
      target: "",
    },
    {
      what: `storm: ${int(r.storm_in_process_callers)} calls in one process, token requests`,
      ours: int(r.storm_in_process_token_requests),
      limit: "1",
      naive: int(r.naive_storm_in_process_token_requests),
      ratio: "",
      target: "1",
    },
    {
      what: `storm: ${int(r.storm_processes)} processes, token requests`,
      ours: int(r.storm_processes_token_requests),
      limit: "1",
      naive: int(r.naive_storm_processes_token_requests),
      ratio: "",
      target: "1",
    },
    {
      what: `storm: ${int(r.storm_processes)} processes, client_credentials, token requests`,
      ours: int(r.oauth_storm_processes_token_requests),
      limit: "1",
      naive: "",
      ratio: "",
      target: "1",
    },
    {
      what: `storm: ${int(r.storm_processes)} processes, client_credentials, wall to last token ms`,
      ours: int(r.oauth_storm_processes_wall_ms),
      limit: "",
      naive: "",
      ratio: `openid-client, each its own: ${int(r.peer_openid_storm_processes_wall_ms)} ms, ${int(r.peer_openid_storm_processes_token_requests)} token req`,
      target: "",
    },
    stormRow(r, `storm: ${int(r.storm_processes)} processes cold`, "storm_processes", "<= 1.3"),
    {
      what: "storm: CPU ms per waiting process, release to token (median)",
      ours: fixed(1)(r.storm_waiter_cpu_ms),
      limit: `${fixed(1)(r.storm_holder_cpu_ms)} holder`,
      naive: fixed(1)(r.naive_storm_cpu_ms),
      ratio: "",
      target: "<= 4",
    },
    stormRow(r, "storm: fleet of 3 machines on one Redis", "fleet_storm", "<= 1.05"),
    {
      what: "`bun apps/cli token`, warm cache, median ms",
      ours: fixed(1)(r.cli_token_ms),
      limit: `${fixed(1)(r.bun_start_ms)} bun -e 0`,
      naive: "",
      ratio: fixed(2)(r.cli_token_vs_bun_start),
      target: "<= 1.5",
    },
    {
      what: "`bun apps/cli token`, peak RSS MB",
      ours: fixed(1)(r.cli_token_rss_mb),
      limit: `${fixed(1)(r.bun_start_rss_mb)} bun -e 0`,
      naive: "",
      ratio: "",
      target: "",
    },
    {
      what: "a Bun script: import the runtime, warm token from the cache file, median ms",
      ours: fixed(1)(r.warm_script_ms),
      limit: `${fixed(1)(r.raw_read_ms)} raw read`,
      naive: "",
      ratio: fixed(2)(r.warm_script_vs_raw_read),
      target: "<= 1.5",
    },
    {
      what: "the same script, peak RSS MB",
      ours: fixed(1)(r.warm_script_rss_mb),
      limit: `${fixed(1)(r.raw_read_rss_mb)} raw read`,
      naive: "",
      ratio: `+${fixed(1)(r.warm_script_rss_delta_mb)} MB`,
      target: "<= +5 MB",
    },
    {
      what: "the same script, the runtime from its packed tarball, median ms",
      ours: `${fixed(1)(r.consumer_script_ms)} (+${fixed(1)(r.consumer_script_rss_delta_mb)} MB)`,
      limit: `${fixed(1)(r.consumer_raw_read_ms)} raw read`,
      naive: "",
      ratio: fixed(2)(r.consumer_script_vs_raw_read),
      target: "<= 1.6",
    },
    ...soakRows(r, "Bun", ""),
    ...soakRows(r, "Node", "node_"),
  ].filter((row) => row.ours !== "-");

  const head: Row = {
    what: "benchmark",
    ours: "openclaw",
    limit: "limit",
    naive: "naive port",
    ratio: "ratio",
    target: "target",
  };
  const columns = Object.keys(head) as (keyof Row)[];
  const widths = columns.map((c) => Math.max(...[head, ...rows].map((row) => row[c].length)));
  const line = (row: Row) =>
    `| ${columns.map((c, i) => row[c].padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [...header, "", line(head), rule, ...rows.map(line), ""].join("\n");
}
