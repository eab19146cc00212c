/** One run: servers replaying a scenario's answers, the runtime's calls against them, the aftermath. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnswerContext, type AnswerPlan, fill, materialize } from "./answers.ts";
import type { PropertyHost } from "./host.ts";
import { ACCESS_TOKEN, type CallResult, cacheEntries, type Outcome } from "./outcome.ts";
import { type Answer, type Recorded, type ReplayServer, startReplayServer } from "./wire.ts";

/**
 * Every call settles within this, or the run counts as a hang: with our manager's policy (one
 * retry, 20 ms backoff, Retry-After up to 1 s, 300 ms attempts, 300 ms lock wait) a call takes
 * a few seconds at most.
 */
export const SETTLE_BOUND_MS = 15_000;
/**
 * The same through the process-wide runtime's default policy: 3 retries with backoff up to 4 s,
 * around a 401 and a refresh, is some 15 s at worst (our answers ask at most 1 s of Retry-After).
 */
export const DEFAULT_POLICY_SETTLE_BOUND_MS = 30_000;
export const TIMEOUT_MS = 300;
export const MAX_TTL_SEC = 86_400;
export const SESSION_PATH = "/auth/session";

export type Call = { readonly config?: 0 | 1 } & (
  | { readonly kind: "token" }
  | { readonly kind: "refresh" }
  | {
      readonly kind: "request" | "fetch";
      readonly target: "path" | "api" | "allowed" | "foreign";
      readonly method: "GET" | "POST";
      readonly cap: number;
      readonly manual: boolean;
    }
);

export interface NetScenario {
  readonly grant: "session" | "client_secret_basic" | "client_secret_post" | "private_key_jwt";
  readonly key: string;
  readonly clientId: string;
  readonly discover: boolean;
  readonly discovery: readonly AnswerPlan[];
  readonly token: readonly AnswerPlan[];
  readonly api: readonly AnswerPlan[];
  readonly allowed: readonly AnswerPlan[];
  readonly foreign: readonly AnswerPlan[];
  readonly calls: readonly Call[];
  /**
   * Two configs that share a token (same key, base and cache settings, so the process-wide
   * runtime may share their manager) but not their policy: the second allows no other origin.
   */
  readonly shared?: boolean;
}

/** A disk (and Redis) state drawn before the calls; see disk.ts. */
export interface Prepared {
  readonly preexisting: ReadonlySet<string>;
  readonly drawnTexts: ReadonlySet<string>;
}

const ok = (body: string): Answer => ({
  status: 200,
  headers: [["Content-Type", "application/json"]],
  body: new TextEncoder().encode(body),
  framing: "length",
  decodedBytes: body.length,
});

/** Tokens in a decoded answer body, by their JSON field. */
function tokensIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/"access_?token"\s*:\s*("(?:[^"\\]|\\.)*")/gi)) {
    try {
      found.push(JSON.parse(m[1] as string) as string);
    } catch {}
  }
  return found;
}

function decodedText(plan: AnswerPlan, ctx: AnswerContext): string {
  // The token and lifetime live in the plan's text; the pad adds only zeros.
  return plan.body.replaceAll("__ECHO__", ctx.key);
}

/** Runs `calls` of `scenario` on `host`; `prepare` may write cache/lock/Redis state first. */
export async function runScenario(
  host: PropertyHost,
  s: NetScenario,
  prepare?: (
    config: ReturnType<PropertyHost["api"]["createConfig"]>,
    dir: string,
  ) => Promise<Prepared>,
  extra: { redisUrl?: string } = {},
): Promise<Outcome> {
  const { api } = host;
  const log: Recorded[] = [];
  const dir = await mkdtemp(join(tmpdir(), "openclaw-props-"));
  const cacheDir = join(dir, "cache");
  const servers: ReplayServer[] = [];
  const tokens = new Map<string, { status: number; decodedBytes: number; path: string }>();
  const keyTargets = new Set<string>();
  let defaults = 0;
  const ctx: { value?: AnswerContext } = {};
  const queues = {
    discovery: [...s.discovery],
    token: [...s.token],
    api: [...s.api],
    allowed: [...s.allowed],
    foreign: [...s.foreign],
  };
  const issue = (queue: AnswerPlan[], path: string): Answer => {
    const c = ctx.value as AnswerContext;
    const plan = queue.shift();
    if (!plan) {
      defaults += 1;
      const token = `tk_default${defaults}${Date.now().toString(16)}`;
      tokens.set(token, { status: 200, decodedBytes: 100, path });
      return ok(`{"access_token":"${token}","token_type":"Bearer","expires_in":900}`);
    }
    const answer = materialize(plan, c);
    for (const t of tokensIn(decodedText(plan, c))) {
      if (!tokens.has(t))
        tokens.set(t, { status: plan.status, decodedBytes: answer.decodedBytes, path });
    }
    return answer;
  };
  const apiAnswer = (queue: AnswerPlan[], r: Omit<Recorded, "status">): Answer => {
    const plan = queue.shift();
    if (!plan) return ok(`{"ok":true}`);
    // An echoing API repeats what it got, the Authorization header included.
    return materialize(
      plan,
      ctx.value as AnswerContext,
      `${r.method} ${r.target} ${r.head}`.slice(0, 2000),
    );
  };
  const discoveryAnswer = (): Answer => {
    const c = ctx.value as AnswerContext;
    const plan = queue(queues.discovery);
    if (!plan) {
      allowEndpoint(`${c.origins.ISSUER}/token`);
      return ok(
        JSON.stringify({ issuer: c.origins.ISSUER, token_endpoint: `${c.origins.ISSUER}/token` }),
      );
    }
    const answer = materialize(plan, c);
    // The plan's text, not the wire bytes: those may be compressed.
    const text = fill(plan.body, c, plan.echo, plan.json);
    for (const m of text.matchAll(/"token_endpoint":("(?:[^"\\]|\\.)*")/g)) {
      allowEndpoint(JSON.parse(m[1] as string) as string);
    }
    return answer;
  };
  const queue = (q: AnswerPlan[]) => q.shift();
  /** A discovered endpoint the rules allow: http to loopback here, no credentials or fragment. */
  const allowEndpoint = (endpoint: string) => {
    const c = ctx.value as AnswerContext;
    for (const base of [c.origins.ISSUER, c.origins.API]) {
      let url: URL;
      try {
        url = new URL(endpoint, base);
      } catch {
        continue;
      }
      const loopback =
        url.hostname === "localhost" || url.hostname === "[::1]" || /^127\./.test(url.hostname);
      if (url.protocol !== "http:" || !loopback || url.username || url.password || url.hash)
        continue;
      keyTargets.add(`${url.port} ${url.pathname}${url.search}`);
    }
  };

  try {
    const make = (answer: (r: Omit<Recorded, "status">) => Answer | undefined) =>
      startReplayServer(answer, log);
    const session = s.grant === "session";
    const apiServer = await make((r) =>
      session && r.method === "POST" && r.target === SESSION_PATH
        ? issue(queues.token, r.target)
        : apiAnswer(queues.api, r),
    );
    const allowedServer = await make((r) => apiAnswer(queues.allowed, r));
    const foreignServer = await make((r) => apiAnswer(queues.foreign, r));
    const issuerServer = await make((r) => {
      if (r.target.startsWith("/.well-known/")) return discoveryAnswer();
      if (!session && r.target === "/token") return issue(queues.token, r.target);
      return apiAnswer(queues.foreign, r);
    });
    servers.push(apiServer, allowedServer, foreignServer, issuerServer);
    ctx.value = {
      origins: {
        API: apiServer.origin,
        ALLOWED: allowedServer.origin,
        FOREIGN: foreignServer.origin,
        ISSUER: issuerServer.origin,
      },
      key: s.key,
      clientId: s.clientId,
    };
    if (session) keyTargets.add(`${apiServer.port} ${SESSION_PATH}`);
    else if (!s.discover) keyTargets.add(`${issuerServer.port} /token`);
    // Discovered endpoints are added as they are served; a relative one may resolve either way.

    const config = api.createConfig({
      authBase: apiServer.origin,
      clientKey: s.key,
      cacheDir,
      timeoutMs: TIMEOUT_MS,
      maxTtlSec: MAX_TTL_SEC,
      allowedOrigins: [allowedServer.origin],
      ...(extra.redisUrl ? { redisUrl: extra.redisUrl } : {}),
      ...(session
        ? {}
        : {
            grant: "client_credentials" as const,
            clientId: s.clientId,
            clientAuth: s.grant,
            ...(s.discover
              ? { issuer: issuerServer.origin }
              : { tokenUrl: `${issuerServer.origin}/token` }),
          }),
    });
    const configB = api.createConfig({
      authBase: apiServer.origin,
      clientKey: s.key,
      cacheDir,
      timeoutMs: TIMEOUT_MS,
      maxTtlSec: MAX_TTL_SEC,
    });
    const prepared = prepare
      ? await prepare(config, cacheDir)
      : { preexisting: new Set<string>(), drawnTexts: new Set<string>() };

    const events: unknown[] = [];
    const onEvent = (event: unknown) => {
      events.push(event);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    const results: CallResult[] = [];
    try {
      const tokenManager = api.createTokenManager({
        config,
        retry: { limit: 1, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterSec: 1 },
        lockWait: { initialPollMs: 10, maxPollMs: 50, giveUpMs: 300 },
        onEvent,
        onWarning: () => {},
      });
      const urlOf = (target: string) =>
        target === "path"
          ? "/v1/echo"
          : `${{ api: apiServer.origin, allowed: allowedServer.origin, foreign: foreignServer.origin }[target]}/v1/echo`;
      for (const [i, call] of s.calls.entries()) {
        const second = s.shared === true && call.config === 1;
        const target = "target" in call ? ` ${call.target}` : "";
        const name = `call ${i + 1} (${call.kind}${target}${second ? ", second config" : ""})`;
        const started = Date.now();
        const from = log.length;
        const mine = s.shared
          ? { config: second ? configB : config, onEvent }
          : { config, tokenManager, onEvent };
        const attempt = (async (): Promise<Omit<CallResult, "call" | "settled" | "ms">> => {
          if (call.kind === "token") return { token: await api.getAccessToken(mine) };
          if (call.kind === "refresh") return { token: await api.refreshAccessToken(mine) };
          const body = call.method === "POST" ? { probe: "body" } : undefined;
          if (call.kind === "request") {
            const res = await api.requestApiWithAutoRefresh({
              ...mine,
              method: call.method,
              url: urlOf(call.target),
              ...(body ? { body } : {}),
              maxResponseBytes: call.cap,
              ...(call.manual ? { redirect: "manual" as const } : {}),
            });
            return { bodyBytes: new TextEncoder().encode(res.body).length, cap: call.cap };
          }
          const fetch = api.createAuthFetch({ ...mine, maxResponseBytes: call.cap });
          const res = await fetch(urlOf(call.target), {
            method: call.method,
            ...(body ? { body: JSON.stringify(body) } : {}),
            ...(call.manual ? { redirect: "manual" as const } : {}),
          });
          return { bodyBytes: (await res.arrayBuffer()).byteLength, cap: call.cap };
        })().then(
          (value) => ({ ...value, settled: true }),
          (error: unknown) => ({ error, settled: true }),
        );
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<{ settled: false }>((resolve) => {
          const bound = s.shared ? DEFAULT_POLICY_SETTLE_BOUND_MS : SETTLE_BOUND_MS;
          timer = setTimeout(() => resolve({ settled: false }), bound);
        });
        const result = await Promise.race([attempt, limit]);
        clearTimeout(timer);
        // Requests made while this call ran are its own (calls run one after another).
        const origins = second ? [apiServer.origin] : [apiServer.origin, allowedServer.origin];
        results.push({
          call: name,
          ms: Date.now() - started,
          requests: [from, log.length],
          origins,
          ...result,
        });
        if (!result.settled) break;
      }
      // A rejection nobody handles surfaces a tick or two after the call that left it behind.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    return {
      log,
      results,
      events,
      unhandled,
      entries: await cacheEntries(cacheDir),
      key: s.key,
      tokens: new Map(
        [...tokens].filter(([t]) => t.length > 0 && (ACCESS_TOKEN.test(t) || /tk_/.test(t))),
      ),
      keyTargets,
      tokenOrigins: new Set([apiServer.origin, allowedServer.origin]),
      preexisting: prepared.preexisting,
      drawnTexts: prepared.drawnTexts,
      maxTtlSec: MAX_TTL_SEC,
      startedSec: Date.now() / 1000,
    };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    await rm(dir, { recursive: true, force: true });
  }
}
