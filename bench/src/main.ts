/**
 * `bun run bench [-- --json] [--quick] [--soak] [--only=request,node,tokens,events,storms,cli,warm,soak]`:
 * every benchmark against one dev gateway in a Bun child process on loopback (the soak against
 * one of its own, with short-lived tokens), printed as a side-by-side table (or, with --json, as
 * one JSON object and nothing else on stdout). `--soak` runs the soak alone. Progress goes to
 * stderr.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@openclaw/auth-runtime";
import { type SpawnedDevGateway, spawnDevGateway } from "@openclaw/dev-gateway/remote";
import { measureCliStart } from "./cli-start.ts";
import { measureConsumerScript } from "./consumer-script.ts";
import { fleetStormsVsNaive, startBenchRedis } from "./fleet-storm.ts";
import { measureNodeRequestOverhead, nodeSoak } from "./node-child.ts";
import { oauthProcessStorm } from "./oauth-storm.ts";
import { createPeers } from "./peers.ts";
import { formatTable, peerLead, type Results, soakResults } from "./report.ts";
import { measureRequestOverhead } from "./request-overhead.ts";
import { type SoakOptions, soak } from "./soak.ts";
import {
  inProcessStorm,
  naiveInProcessStorm,
  processStorm,
  processStormsVsNaive,
  type StormEnv,
  stormCpuResults,
  stormResults,
} from "./storms.ts";
import { measureSubscriberCost } from "./subscriber.ts";
import { measureTokenPaths } from "./token-paths.ts";
import { measureWarmScript } from "./warm-script.ts";

const SECTIONS = ["request", "node", "tokens", "events", "storms", "cli", "warm", "soak"] as const;
type Section = (typeof SECTIONS)[number];

/** A distinctive key: it must never show up in any output. */
const CLIENT_KEY = "ck-bench-CANARY-5e81d0";

/** Sizes of a full run and of `--quick` (the smoke test's: only that everything runs). */
const SIZES = {
  full: {
    requestRounds: 15,
    requestRoundMs: 200,
    tokenRounds: 9,
    tokenRoundMs: 100,
    stormCallers: 1000,
    stormProcesses: 32,
    stormRatioRounds: 15,
    cliRuns: 150,
    warmRuns: 150,
    soak: {
      requests: 200_000,
      expiries: 20,
      warmupRequests: 20_000,
      ttlSec: 3,
      minTtlSec: 1,
      concurrency: 4,
    },
  },
  quick: {
    requestRounds: 2,
    requestRoundMs: 5,
    tokenRounds: 2,
    tokenRoundMs: 5,
    stormCallers: 50,
    stormProcesses: 4,
    stormRatioRounds: 1,
    cliRuns: 2,
    warmRuns: 2,
    soak: {
      requests: 1000,
      expiries: 2,
      warmupRequests: 200,
      // The full soak's lifetime: a token is served for about 2 s, so a loaded machine's pause
      // between taking a token and the gateway reading it does not outlast the token.
      ttlSec: 3,
      minTtlSec: 1,
      concurrency: 4,
    },
  },
} as const;

/** What the gateway's token endpoint takes during a storm (a remote gateway's round trip). */
const STORM_SESSION_LATENCY_MS = 100;

interface Args {
  readonly json: boolean;
  readonly quick: boolean;
  readonly only: ReadonlySet<Section>;
}

function parseArgs(argv: readonly string[]): Args {
  let json = false;
  let quick = false;
  let only = new Set<Section>(SECTIONS);
  for (const arg of argv) {
    if (arg === "--json") json = true;
    else if (arg === "--quick") quick = true;
    else if (arg === "--soak") only = new Set<Section>(["soak"]);
    else if (arg.startsWith("--only=")) {
      const names = arg.slice("--only=".length).split(",");
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length > 0) throw new Error(`unknown --only section: ${unknown.join(", ")}`);
      only = new Set(names as Section[]);
    } else throw new Error(`unknown argument: ${arg} (use --json, --quick, --soak, --only=…)`);
  }
  return { json, quick, only };
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sizes = args.quick ? SIZES.quick : SIZES.full;
  const results: Results = {};
  const tempDirs: string[] = [];
  const newCacheDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-"));
    tempDirs.push(dir);
    return dir;
  };
  const loadBefore = loadavg()[0] ?? 0;
  // Other work on the machine shows in the load average: its peak during the run is reported.
  let loadMax = loadBefore;
  const loadSampler = setInterval(() => {
    loadMax = Math.max(loadMax, loadavg()[0] ?? 0);
  }, 1000);
  loadSampler.unref();
  let nodeVersion = "not run";
  const started = performance.now();
  let gateway: SpawnedDevGateway | undefined;
  try {
    gateway = await spawnDevGateway({ clientKeys: [CLIENT_KEY], ttlSec: 3600 });
    log(`dev gateway at ${gateway.url} (a bun child process)`);
    const config = core.createEnvConfig(
      { CLIENT_KEY, AUTH_BASE: gateway.url, AUTH_CACHE_DIR: newCacheDir() },
      { envFile: false },
    );
    const requestOptions = {
      gatewayUrl: gateway.url,
      clientKey: CLIENT_KEY,
      rounds: sizes.requestRounds,
      roundMs: sizes.requestRoundMs,
    };

    if (args.only.has("request")) {
      log("request overhead (Bun)");
      const r = await measureRequestOverhead(
        core,
        { ...requestOptions, cacheDir: newCacheDir() },
        createPeers(requestOptions),
      );
      results.raw_fetch_req_per_s = r.rawFetchOpsPerSec;
      results.request_api_req_per_s = r.requestApiOpsPerSec;
      results.authfetch_req_per_s = r.authFetchOpsPerSec;
      results.request_overhead_ratio = r.requestOverheadRatio;
      results.authfetch_overhead_ratio = r.authFetchOverheadRatio;
      results.request_overhead_spread = r.requestOverheadSpread;
      results.authfetch_overhead_spread = r.authFetchOverheadSpread;
      results.request_overhead_us = r.requestOverheadMicros;
      results.authfetch_overhead_us = r.authFetchOverheadMicros;
      results.request_own_us = r.requestOwnMicros;
      Object.assign(results, peerLead("", r));
    }
    if (args.only.has("node")) {
      log("request overhead (Node child)");
      const r = await measureNodeRequestOverhead(
        { ...requestOptions, cacheDir: newCacheDir() },
        log,
      );
      nodeVersion = r.node;
      results.node_raw_fetch_req_per_s = r.rawFetchOpsPerSec;
      results.node_request_api_req_per_s = r.requestApiOpsPerSec;
      results.node_authfetch_req_per_s = r.authFetchOpsPerSec;
      results.node_request_overhead_ratio = r.requestOverheadRatio;
      results.node_authfetch_overhead_ratio = r.authFetchOverheadRatio;
      results.node_request_overhead_spread = r.requestOverheadSpread;
      results.node_authfetch_overhead_spread = r.authFetchOverheadSpread;
      results.node_request_overhead_us = r.requestOverheadMicros;
      results.node_authfetch_overhead_us = r.authFetchOverheadMicros;
      results.node_request_own_us = r.requestOwnMicros;
      Object.assign(results, peerLead("node_", r));
    }
    if (args.only.has("tokens")) {
      log("token paths: warm memory, cache-file hit");
      const r = await measureTokenPaths(core, config, {
        rounds: sizes.tokenRounds,
        roundMs: sizes.tokenRoundMs,
      });
      results.warm_get_ops_per_s = r.warmGetOpsPerSec;
      results.file_hit_ops_per_s = r.fileHitOpsPerSec;
      results.naive_file_hit_ops_per_s = r.naiveFileHitOpsPerSec;
      results.file_hit_vs_naive_ratio = r.fileHitVsNaiveRatio;
    }
    if (args.only.has("events")) {
      log("events: warm get and request with an onEvent listener and without");
      const r = await measureSubscriberCost(core, config, {
        rounds: sizes.tokenRounds,
        roundMs: sizes.tokenRoundMs,
      });
      results.warm_get_no_subscriber_ops_per_s = r.warmGetOpsPerSec;
      results.warm_get_with_subscriber_ops_per_s = r.warmGetWithSubscriberOpsPerSec;
      results.warm_get_with_subscriber_ratio = r.warmGetWithSubscriberRatio;
      results.warm_get_subscriber_extra_ns = r.warmGetSubscriberExtraNs;
      results.request_with_subscriber_ratio = r.requestWithSubscriberRatio;
      results.request_subscriber_extra_us = r.requestSubscriberExtraUs;
    }
    if (args.only.has("storms")) {
      const env: StormEnv = {
        gateway,
        clientKey: CLIENT_KEY,
        newCacheDir,
        sessionLatencyMs: STORM_SESSION_LATENCY_MS,
      };
      log(`storm: ${sizes.stormCallers} calls in one process`);
      const ours = await inProcessStorm(core, env, sizes.stormCallers);
      const naive = await naiveInProcessStorm(env, sizes.stormCallers);
      log(`storm: ${sizes.stormProcesses} processes, runtime then naive`);
      const oursProc = await processStorm(env, "storm-client.ts", sizes.stormProcesses);
      const naiveProc = await processStorm(env, "naive-client.ts", sizes.stormProcesses);
      log(`storm: ${sizes.stormProcesses} processes on a client_credentials config`);
      const oauthProc = await oauthProcessStorm({
        clientId: "bench-client",
        clientSecret: CLIENT_KEY,
        processes: sizes.stormProcesses,
        latencyMs: STORM_SESSION_LATENCY_MS,
        newCacheDir,
      });
      log(`storm: ${sizes.stormProcesses} processes of openid-client's clientCredentialsGrant`);
      const openidProc = await oauthProcessStorm(
        {
          clientId: "bench-client",
          clientSecret: CLIENT_KEY,
          processes: sizes.stormProcesses,
          latencyMs: STORM_SESSION_LATENCY_MS,
          newCacheDir,
        },
        "openid-client.ts",
      );
      const runs = { ours, naive, oursProc, naiveProc, oauthProc, openidProc };
      for (const [name, run] of Object.entries(runs)) {
        if (run.succeeded !== run.callers) {
          throw new Error(`storm ${name}: ${run.callers - run.succeeded} callers got no token`);
        }
      }
      results.storm_in_process_callers = sizes.stormCallers;
      results.storm_in_process_token_requests = ours.tokenRequests;
      results.naive_storm_in_process_token_requests = naive.tokenRequests;
      results.storm_in_process_wall_ms = ours.wallMs;
      results.storm_processes = sizes.stormProcesses;
      results.storm_processes_token_requests = oursProc.tokenRequests;
      results.naive_storm_processes_token_requests = naiveProc.tokenRequests;
      results.storm_processes_wall_ms = oursProc.wallMs;
      results.naive_storm_processes_wall_ms = naiveProc.wallMs;
      results.oauth_storm_processes_token_requests = oauthProc.tokenRequests;
      results.oauth_storm_processes_wall_ms = oauthProc.wallMs;
      results.peer_openid_storm_processes_token_requests = openidProc.tokenRequests;
      results.peer_openid_storm_processes_wall_ms = openidProc.wallMs;
      results.storm_session_latency_ms = STORM_SESSION_LATENCY_MS;
      log(`storm: ${sizes.stormProcesses} processes vs naive, ${sizes.stormRatioRounds} rounds`);
      const vsNaive = await processStormsVsNaive(env, sizes.stormProcesses, sizes.stormRatioRounds);
      Object.assign(results, stormResults("storm_processes", vsNaive), stormCpuResults(vsNaive));
      const redis = await startBenchRedis();
      if (redis) {
        const shape = { machines: 3, processesPerMachine: sizes.stormProcesses === 32 ? 8 : 2 };
        log(`storm: fleet of 3 machines x ${shape.processesPerMachine} processes on one Redis`);
        try {
          const fleet = await fleetStormsVsNaive(env, shape, redis, sizes.stormRatioRounds);
          Object.assign(results, stormResults("fleet_storm", fleet));
        } finally {
          await redis.stop();
        }
      } else log("storm: no redis-server on PATH (or REDIS_SERVER): fleet storm skipped");
    }
    if (args.only.has("soak")) {
      const sizing = sizes.soak;
      for (const [runtime, prefix] of [
        ["Bun", ""],
        ["Node child", "node_"],
      ] as const) {
        log(
          `soak (${runtime}): ${sizing.requests.toLocaleString("en-US")} calls and ${sizing.expiries} expiries at least, tokens of ${sizing.ttlSec} s`,
        );
        const soakGateway = await spawnDevGateway({
          clientKeys: [CLIENT_KEY],
          ttlSec: sizing.ttlSec,
        });
        try {
          const options: SoakOptions = {
            ...sizing,
            gatewayUrl: soakGateway.url,
            clientKey: CLIENT_KEY,
            cacheDir: newCacheDir(),
          };
          const r = prefix === "" ? await soak(core, options) : await nodeSoak(options, log);
          Object.assign(results, soakResults(prefix, r));
        } finally {
          await soakGateway.stop();
        }
      }
    }
    if (args.only.has("cli")) {
      log(`cli start: ${sizes.cliRuns} spawns each of \`bun apps/cli token\` and \`bun -e 0\``);
      const r = await measureCliStart({
        gatewayUrl: gateway.url,
        clientKey: CLIENT_KEY,
        cacheDir: newCacheDir(),
        runs: sizes.cliRuns,
      });
      results.cli_token_ms = r.cliTokenMs;
      results.bun_start_ms = r.bunStartMs;
      results.cli_token_vs_bun_start = r.cliTokenVsBunStart;
      results.cli_token_rss_mb = r.cliTokenRssMb;
      results.bun_start_rss_mb = r.bunStartRssMb;
      results.cli_runs = r.runs;
    }
    if (args.only.has("warm")) {
      log(`warm script: ${sizes.warmRuns} spawns each of a runtime script and a raw cache read`);
      const r = await measureWarmScript({
        gatewayUrl: gateway.url,
        clientKey: CLIENT_KEY,
        cacheDir: newCacheDir(),
        runs: sizes.warmRuns,
      });
      results.warm_script_ms = r.warmScriptMs;
      results.raw_read_ms = r.rawReadMs;
      results.warm_script_vs_raw_read = r.warmScriptVsRawRead;
      results.warm_script_rss_mb = r.warmScriptRssMb;
      results.raw_read_rss_mb = r.rawReadRssMb;
      results.warm_script_rss_delta_mb = r.warmScriptRssDeltaMb;
      results.warm_runs = r.runs;
      log(`consumer script: ${sizes.warmRuns} spawns each, the runtime from its packed tarball`);
      const c = await measureConsumerScript({
        gatewayUrl: gateway.url,
        clientKey: CLIENT_KEY,
        cacheDir: newCacheDir(),
        runs: sizes.warmRuns,
      });
      results.consumer_script_ms = c.consumerScriptMs;
      results.consumer_raw_read_ms = c.rawReadMs;
      results.consumer_script_vs_raw_read = c.consumerScriptVsRawRead;
      results.consumer_script_rss_mb = c.consumerScriptRssMb;
      results.consumer_script_rss_delta_mb = c.consumerScriptRssDeltaMb;
    }
  } finally {
    clearInterval(loadSampler);
    await gateway?.stop();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }

  const meta = {
    mode: args.quick ? "quick" : "full",
    bun: Bun.version,
    node: nodeVersion,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    load_avg_1m_before: loadBefore,
    load_avg_1m_after: loadavg()[0] ?? 0,
    load_avg_1m_max: Math.max(loadMax, loadavg()[0] ?? 0),
    seconds: (performance.now() - started) / 1000,
    sizes,
  };
  const table = formatTable(results, [
    `OpenClaw auth runtime benchmarks (${meta.mode}): bun ${meta.bun}, node ${meta.node}, ${meta.cpus} x ${meta.cpu_model}`,
    `1-min load average ${meta.load_avg_1m_before.toFixed(2)} before, ${meta.load_avg_1m_max.toFixed(2)} at most, ${meta.load_avg_1m_after.toFixed(2)} after; ${meta.seconds.toFixed(0)} s`,
    `storms: the gateway's (and the OAuth storm's) token endpoint answers after ${STORM_SESSION_LATENCY_MS} ms; ratios are medians of interleaved rounds`,
  ]);
  if (args.json) {
    // The table goes to stderr, so one run gives both and stdout stays one JSON object.
    process.stderr.write(table);
    process.stdout.write(`${JSON.stringify({ ...results, meta })}\n`);
  } else {
    process.stdout.write(table);
  }
}

await main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
