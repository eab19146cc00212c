/** The benchmark results: the JSON keys and the side-by-side table. */

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
  "storm_processes_wall_vs_naive",
  "fleet_storm_wall_vs_naive",
] as const;

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

/** The table: our figure, the limit and the naive port's, side by side. */
export function formatTable(r: Results, header: readonly string[]): string {
  const rows: Row[] = [
    {
      what: "GET /echo, requestApiWithAutoRefresh (Bun), req/s",
      ours: int(r.request_api_req_per_s),
      limit: `${int(r.raw_fetch_req_per_s)} raw fetch`,
      naive: "",
      ratio: `${fixed(3)(r.request_overhead_ratio)}${extraUs(r.request_overhead_us)}${spread(r.request_overhead_spread)}`,
      target: ">= 0.97",
    },
    {
      what: "GET /echo, authFetch (Bun), req/s",
      ours: int(r.authfetch_req_per_s),
      limit: `${int(r.raw_fetch_req_per_s)} raw fetch`,
      naive: "",
      ratio: `${fixed(3)(r.authfetch_overhead_ratio)}${extraUs(r.authfetch_overhead_us)}${spread(r.authfetch_overhead_spread)}`,
      target: ">= 0.97",
    },
    {
      what: "GET /echo, requestApiWithAutoRefresh (Node), req/s",
      ours: int(r.node_request_api_req_per_s),
      limit: `${int(r.node_raw_fetch_req_per_s)} raw fetch`,
      naive: "",
      ratio: `${fixed(3)(r.node_request_overhead_ratio)}${extraUs(r.node_request_overhead_us)}${spread(r.node_request_overhead_spread)}`,
      target: ">= 0.95",
    },
    {
      what: "GET /echo, authFetch (Node), req/s",
      ours: int(r.node_authfetch_req_per_s),
      limit: `${int(r.node_raw_fetch_req_per_s)} raw fetch`,
      naive: "",
      ratio: `${fixed(3)(r.node_authfetch_overhead_ratio)}${extraUs(r.node_authfetch_overhead_us)}${spread(r.node_authfetch_overhead_spread)}`,
      target: ">= 0.90",
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
      ours: "",
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
      what: `storm: ${int(r.storm_processes)} processes cold, wall to last token ms (${int(r.storm_processes_vs_naive_token_requests)} token req)`,
      ours: int(r.storm_processes_wall_ms),
      limit: `${int(r.storm_processes_poll_wall_ms)} polling only`,
      naive: int(r.storm_processes_naive_wall_ms),
      ratio: `${fixed(2)(r.storm_processes_wall_vs_naive)} (poll ${fixed(2)(r.storm_processes_poll_wall_vs_naive)})`,
      target: "<= 1.05",
    },
    {
      what: `storm: fleet of 3 machines on one Redis, wall to last token ms (${int(r.fleet_storm_vs_naive_token_requests)} token req)`,
      ours: int(r.fleet_storm_wall_ms),
      limit: `${int(r.fleet_storm_poll_wall_ms)} polling only`,
      naive: int(r.fleet_storm_naive_wall_ms),
      ratio: `${fixed(2)(r.fleet_storm_wall_vs_naive)} (poll ${fixed(2)(r.fleet_storm_poll_wall_vs_naive)})`,
      target: "<= 1.05",
    },
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
