/**
 * Refresh storms on a cold cache: many callers in one process, and many processes released at
 * the same moment, counted by the gateway's own request counter. The runtime against the naive
 * algorithm, on the same gateway with the same token-request latency.
 */
import { join } from "node:path";
import type * as AuthApi from "@openclaw/auth-runtime";
import type { DevGatewayClient } from "@openclaw/dev-gateway/remote";
import { naiveGetToken } from "./naive.ts";
import { median } from "./rounds.ts";

export interface StormEnv {
  readonly gateway: DevGatewayClient;
  readonly clientKey: string;
  /** Makes a new, empty cache dir (removed by the caller). */
  readonly newCacheDir: () => string;
  /**
   * How long the gateway takes to answer a token request during a storm, as a remote gateway
   * does; without it, the first token lands before the last process has even looked.
   */
  readonly sessionLatencyMs: number;
}

export interface StormResult {
  /** Token requests the gateway received. */
  readonly tokenRequests: number;
  /** Callers that got a token. */
  readonly succeeded: number;
  readonly callers: number;
  /** From the release to the last answer. */
  readonly wallMs: number;
  /** Each process's CPU from the release to its token (process storms only). */
  readonly cpu?: readonly ProcessCpu[];
}

/** One storm process's CPU (user + system) from the release to its token. */
export interface ProcessCpu {
  /** "holder": it asked the gateway (the lock holder; every naive process); else a waiter. */
  readonly role: "holder" | "waiter";
  readonly ms: number;
}

const SESSION_PATH = "/auth/session";
const clientsDir = join(import.meta.dir, "clients");

export async function counted(
  env: StormEnv,
  storm: () => Promise<Omit<StormResult, "tokenRequests">>,
): Promise<StormResult> {
  await env.gateway.setFaults([{ kind: "latency", ms: env.sessionLatencyMs, route: SESSION_PATH }]);
  await env.gateway.resetStats();
  try {
    const run = await storm();
    const stats = await env.gateway.stats();
    return { tokenRequests: stats.requests[SESSION_PATH] ?? 0, ...run };
  } finally {
    await env.gateway.setFaults([]);
  }
}

/** `callers` concurrent getAccessToken calls in this process, on a cold cache. */
export function inProcessStorm(
  runtime: typeof AuthApi,
  env: StormEnv,
  callers: number,
): Promise<StormResult> {
  // A config of its own: a new cache dir, so a new process-wide token manager.
  const config = runtime.createEnvConfig(
    { CLIENT_KEY: env.clientKey, AUTH_BASE: env.gateway.url, AUTH_CACHE_DIR: env.newCacheDir() },
    { envFile: false },
  );
  return counted(env, async () => {
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: callers }, () => runtime.getAccessToken({ config })),
    );
    const wallMs = performance.now() - started;
    return { succeeded: results.filter((r) => r.status === "fulfilled").length, callers, wallMs };
  });
}

/** The same storm with the naive algorithm. */
export function naiveInProcessStorm(env: StormEnv, callers: number): Promise<StormResult> {
  const config = {
    authBase: env.gateway.url,
    clientKey: env.clientKey,
    cacheDir: env.newCacheDir(),
  };
  return counted(env, async () => {
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: callers }, () => naiveGetToken(config)),
    );
    const wallMs = performance.now() - started;
    return { succeeded: results.filter((r) => r.status === "fulfilled").length, callers, wallMs };
  });
}

/**
 * `processes` Bun processes running `client` (clients/*.ts) on one cold cache dir, with `extra`
 * in their environment: each loads, says ready, and all are released together.
 */
export function processStorm(
  env: StormEnv,
  client: "storm-client.ts" | "naive-client.ts",
  processes: number,
  extra: Record<string, string> = {},
): Promise<StormResult> {
  const cacheDir = env.newCacheDir();
  return counted(env, () =>
    spawnStorm(client, processes, cacheDir, {
      CLIENT_KEY: env.clientKey,
      AUTH_BASE: env.gateway.url,
      AUTH_CACHE_DIR: cacheDir,
      ...extra,
    }),
  );
}

/**
 * Spawns `processes` Bun processes running `client` in `cwd` with `config` (plus PATH and HOME),
 * waits until each says ready, releases them together and collects their answers.
 */
export async function spawnStorm(
  client: "storm-client.ts" | "naive-client.ts" | "openid-client.ts",
  processes: number,
  cwd: string,
  config: Record<string, string> | ((index: number) => Record<string, string>),
): Promise<Omit<StormResult, "tokenRequests">> {
  const children = Array.from({ length: processes }, (_, index) =>
    Bun.spawn(["bun", join(clientsDir, client)], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...(typeof config === "function" ? config(index) : config),
      },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
    }),
  );
  try {
    const lines = children.map((child) => lineReader(child.stdout));
    await Promise.all(
      lines.map(async (next) => {
        if ((await next()) !== "ready") throw new Error(`${client} did not get ready`);
      }),
    );
    const started = performance.now();
    for (const child of children) {
      child.stdin.write("go\n");
      await child.stdin.flush();
    }
    const results = await Promise.all(
      lines.map(
        async (next) =>
          JSON.parse((await next()) ?? "{}") as { ok?: boolean; source?: string; cpuMs?: number },
      ),
    );
    const wallMs = performance.now() - started;
    await Promise.all(children.map((child) => child.exited));
    const cpu = results.flatMap((r): ProcessCpu[] =>
      typeof r.cpuMs === "number"
        ? [{ role: r.source === "network" ? "holder" : "waiter", ms: r.cpuMs }]
        : [],
    );
    return { succeeded: results.filter((r) => r.ok).length, callers: processes, wallMs, cpu };
  } finally {
    for (const child of children) child.kill();
  }
}

/** Our storm against the naive one, round after round. */
export interface StormComparison {
  readonly rounds: number;
  /** Median over rounds of our wall time / the naive port's, both from the same round. */
  readonly ratio: number;
  /** Each round's ratio, in order. */
  readonly ratios: readonly number[];
  /** Median over rounds of our wall time with waiters polling only (`lockWait.notify: false`) / the naive port's. */
  readonly pollRatio: number;
  readonly oursWallMs: number;
  readonly pollWallMs: number;
  readonly naiveWallMs: number;
  /** The most token requests any of our rounds made, polling ones included (single flight: 1). */
  readonly tokenRequests: number;
  /** The naive port's token requests, median over rounds. */
  readonly naiveTokenRequests: number;
  /** Median CPU ms from the release to the token of our waiting processes, over all rounds. */
  readonly waiterCpuMs: number;
  /** The same of our lock holders (one per round). */
  readonly holderCpuMs: number;
  /** The same of the naive port's processes (each asks the gateway). */
  readonly naiveCpuMs: number;
}

type Variant = "ours" | "poll" | "naive";

/**
 * `rounds` rounds of three storms: ours, ours with waiters polling only, and the naive port's,
 * in a rotating order so that load from other processes falls on all alike. Every caller of
 * every storm must get a token.
 */
export async function compareStorms(
  rounds: number,
  storm: (variant: Variant) => Promise<StormResult>,
): Promise<StormComparison> {
  const variants: Variant[] = ["ours", "poll", "naive"];
  const rows: Record<Variant, StormResult>[] = [];
  for (let round = 0; round < rounds; round++) {
    const row = {} as Record<Variant, StormResult>;
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length] as Variant;
      const run = await storm(variant);
      if (run.succeeded !== run.callers) {
        throw new Error(
          `storm ${variant}, round ${round}: ${run.callers - run.succeeded} callers got no token`,
        );
      }
      row[variant] = run;
    }
    rows.push(row);
  }
  const ratios = rows.map((r) => r.ours.wallMs / r.naive.wallMs);
  const cpuMs = (variant: Variant, role?: ProcessCpu["role"]) =>
    median(
      rows
        .flatMap((r) => (r[variant].cpu ?? []).filter((c) => !role || c.role === role))
        .map((c) => c.ms),
    );
  return {
    rounds,
    ratio: median(ratios),
    ratios,
    pollRatio: median(rows.map((r) => r.poll.wallMs / r.naive.wallMs)),
    oursWallMs: median(rows.map((r) => r.ours.wallMs)),
    pollWallMs: median(rows.map((r) => r.poll.wallMs)),
    naiveWallMs: median(rows.map((r) => r.naive.wallMs)),
    tokenRequests: Math.max(...rows.flatMap((r) => [r.ours.tokenRequests, r.poll.tokenRequests])),
    naiveTokenRequests: median(rows.map((r) => r.naive.tokenRequests)),
    waiterCpuMs: cpuMs("ours", "waiter"),
    holderCpuMs: cpuMs("ours", "holder"),
    naiveCpuMs: cpuMs("naive"),
  };
}

/** The client and extra environment of a storm variant. */
export function variantClient(variant: Variant): {
  client: "storm-client.ts" | "naive-client.ts";
  env: Record<string, string>;
} {
  if (variant === "naive") return { client: "naive-client.ts", env: {} };
  return { client: "storm-client.ts", env: variant === "poll" ? { BENCH_LOCK_NOTIFY: "0" } : {} };
}

/**
 * `processes` runtime processes against as many naive ones, cold, each storm on a new cache dir:
 * wall time from the release to the last token.
 */
export function processStormsVsNaive(
  env: StormEnv,
  processes: number,
  rounds: number,
): Promise<StormComparison> {
  return compareStorms(rounds, (variant) => {
    const { client, env: extra } = variantClient(variant);
    return processStorm(env, client, processes, extra);
  });
}

/**
 * The JSON keys of a comparison: `<prefix>_wall_vs_naive` (the ratio), the same with waiters
 * polling only (`_poll_wall_vs_naive`), the median walls, the rounds and the spread of the
 * per-round ratios, and the token requests (single flight: 1).
 */
export function stormResults(prefix: string, c: StormComparison): Record<string, number> {
  return {
    [`${prefix}_wall_vs_naive`]: c.ratio,
    [`${prefix}_poll_wall_vs_naive`]: c.pollRatio,
    [`${prefix}_wall_ms`]: c.oursWallMs,
    [`${prefix}_poll_wall_ms`]: c.pollWallMs,
    [`${prefix}_naive_wall_ms`]: c.naiveWallMs,
    [`${prefix}_vs_naive_rounds`]: c.rounds,
    [`${prefix}_vs_naive_ratio_min`]: Math.min(...c.ratios),
    [`${prefix}_vs_naive_ratio_max`]: Math.max(...c.ratios),
    [`${prefix}_vs_naive_token_requests`]: c.tokenRequests,
    [`${prefix}_naive_token_requests`]: c.naiveTokenRequests,
  };
}

/** The CPU keys of the cold process storm: ours per waiter and holder, the naive port's per process. */
export function stormCpuResults(c: StormComparison): Record<string, number> {
  return {
    storm_waiter_cpu_ms: c.waiterCpuMs,
    storm_holder_cpu_ms: c.holderCpuMs,
    naive_storm_cpu_ms: c.naiveCpuMs,
  };
}

/** Reads `stream` line by line: each call answers the next line, or undefined at the end. */
function lineReader(stream: ReadableStream<Uint8Array>): () => Promise<string | undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return async () => {
    for (;;) {
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) return buffered === "" ? undefined : buffered;
      buffered += decoder.decode(value, { stream: true });
    }
  };
}
