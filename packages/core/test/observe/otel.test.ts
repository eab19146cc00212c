/**
 * OpenTelemetry with the SDK's in-memory span exporter and a metric reader: the spans, their
 * attributes and the metrics of a cold token, a warm token and a refresh-and-resend; no
 * attribute holds the key, a token or a URL query. And a plain import loads none of it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { metrics, trace } from "@opentelemetry/api";
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createConfig, getAccessToken, requestApiWithAutoRefresh } from "../../src/index.ts";
import { AuthRuntimeError, createTokenManager } from "../fixtures/internal-api.ts";

const KEY = "ck-otel-CANARY-51d2e8";

/** A reader collected on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new TestReader();
let gateway: DevGateway;
let dir: string;

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  gateway = startDevGateway({ clientKeys: [KEY] });
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  dir = await mkdtemp(`${tmpdir()}/openclaw-otel-`);
});

afterAll(async () => {
  await gateway.stop();
  const { rm } = await import("node:fs/promises");
  await rm(dir, { recursive: true, force: true });
  trace.disable();
  metrics.disable();
});

/** The sums of the counter and the histogram counts, by outcome and refresh. */
async function tokenMetrics() {
  const { resourceMetrics } = await reader.collect();
  const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  const counter = all.find((m) => m.descriptor.name === "openclaw.auth.token_requests");
  const histogram = all.find((m) => m.descriptor.name === "openclaw.auth.token_request.duration");
  const label = (p: DataPoint<unknown>) =>
    `${p.attributes["openclaw.auth.outcome"]}/refresh=${p.attributes["openclaw.auth.refresh"]}`;
  const points = histogram?.dataPoints ?? [];
  return {
    counts: Object.fromEntries(
      (counter?.dataPoints ?? []).map((p) => [label(p), p.value as number]),
    ),
    durations: Object.fromEntries(points.map((p) => [label(p), (p.value as Histogram).count])),
    /** The longest token request recorded, in ms. */
    longestMs: Math.max(0, ...points.map((p) => (p.value as Histogram).max ?? 0)),
    unit: histogram?.descriptor.unit,
  };
}

function summary(span: ReadableSpan) {
  return { name: span.name, attributes: { ...span.attributes } };
}

/** The summary of an `openclaw.auth.token` span with these attributes. */
const tokenSpan = (attributes: ReadableSpan["attributes"]) => ({
  name: "openclaw.auth.token",
  attributes,
});

/** Every span made, for the check that none holds a secret. */
const produced: ReadableSpan[] = [];

/** The spans finished since the last call. */
function takeSpans(): ReadableSpan[] {
  const finished = spans.getFinishedSpans();
  produced.push(...finished);
  spans.reset();
  return finished;
}

describe("OpenTelemetry", () => {
  const tokens: string[] = [];

  test("a cold token: one openclaw.auth.token span from the network, one token request counted", async () => {
    const config = createConfig({ authBase: gateway.url, clientKey: KEY, cacheDir: dir });
    tokens.push(await getAccessToken({ config }));
    const finished = takeSpans();
    expect(finished.map(summary)).toEqual([
      tokenSpan({
        "openclaw.auth.refresh": false,
        "openclaw.auth.tier": "network",
        "openclaw.auth.attempts": 1,
      }),
    ]);
    const measured = await tokenMetrics();
    expect(measured.counts).toEqual({ "success/refresh=false": 1 });
    expect(measured.durations).toEqual({ "success/refresh=false": 1 });
    expect(measured.unit).toBe("ms");
    // The request's own length, not a clock reading.
    expect(measured.longestMs).toBeLessThan(60_000);
  });

  test("a warm token: a span from memory with no attempt, no token request counted", async () => {
    const config = createConfig({ authBase: gateway.url, clientKey: KEY, cacheDir: dir });
    tokens.push(await getAccessToken({ config }));
    const finished = takeSpans();
    expect(finished.map(summary)).toEqual([
      tokenSpan({ "openclaw.auth.tier": "memory", "openclaw.auth.attempts": 0 }),
    ]);
    expect((await tokenMetrics()).counts).toEqual({ "success/refresh=false": 1 });
  });

  test("a refresh-and-resend: one request span sent twice, the refresh its child, counted as a refresh", async () => {
    const config = createConfig({ authBase: gateway.url, clientKey: KEY, cacheDir: dir });
    gateway.setFaults([{ kind: "token-expired-body", route: "/echo", count: 1 }]);
    const response = await requestApiWithAutoRefresh({
      config,
      method: "POST",
      url: "/echo?signature=query-secret-1234",
      body: { a: 1 },
    });
    expect(response.status).toBe(200);
    tokens.push(await getAccessToken({ config }));
    const finished = takeSpans();
    const request = finished.find((s) => s.name === "openclaw.auth.request");
    expect(request && summary(request)).toEqual({
      name: "openclaw.auth.request",
      attributes: {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "http.response.status_code": 200,
        "openclaw.auth.attempts": 2,
        "openclaw.auth.retried_after_auth_failure": true,
      },
    });
    const children = finished.filter(
      (s) => s.parentSpanContext?.spanId === request?.spanContext().spanId,
    );
    expect(children.map(summary)).toEqual([
      tokenSpan({ "openclaw.auth.tier": "memory", "openclaw.auth.attempts": 0 }),
      tokenSpan({
        "openclaw.auth.refresh": true,
        "openclaw.auth.tier": "network",
        "openclaw.auth.attempts": 1,
      }),
    ]);
    expect((await tokenMetrics()).counts).toEqual({
      "success/refresh=false": 1,
      "success/refresh=true": 1,
    });
  });

  test("a token another process stored: a span from the cache with no attempt, no token request counted", async () => {
    const config = createConfig({ authBase: gateway.url, clientKey: KEY, cacheDir: dir });
    // A manager of its own holds nothing in memory, as in a new process: the cold test's file serves it.
    tokens.push((await createTokenManager({ config }).getToken()).accessToken);
    const finished = takeSpans();
    expect(finished.map(summary)).toEqual([
      tokenSpan({
        "openclaw.auth.refresh": false,
        "openclaw.auth.tier": "cache",
        "openclaw.auth.attempts": 0,
      }),
    ]);
    expect((await tokenMetrics()).counts).toEqual({
      "success/refresh=false": 1,
      "success/refresh=true": 1,
    });
  });

  test("a failed refresh serving the still-valid token: a span of tier stale with both attempts, counted as a failure", async () => {
    // A 900 s token is valid but never fresh (minTtlSec 900, and the refresh margin only adds to it).
    const config = createConfig({
      authBase: gateway.url,
      clientKey: KEY,
      cacheDir: dir,
      minTtlSec: 900,
    });
    const manager = createTokenManager({
      config,
      store: null,
      retry: { limit: 1, baseDelayMs: 10 },
      onWarning: () => {},
    });
    const held = await manager.getToken();
    tokens.push(held.accessToken);
    takeSpans();
    gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session", count: 2 }]);
    // The gateway refused another token: ours is still valid, and served while the refresh fails.
    const info = await manager.refresh({ rejectedToken: "tok-refused-elsewhere" });
    expect(info).toMatchObject({ accessToken: held.accessToken, source: "stale" });
    const finished = takeSpans();
    expect(finished.map(summary)).toEqual([
      tokenSpan({
        "openclaw.auth.refresh": true,
        "openclaw.auth.tier": "stale",
        "openclaw.auth.attempts": 2,
      }),
    ]);
    const measured = await tokenMetrics();
    expect(measured.counts).toEqual({
      "success/refresh=false": 2,
      "success/refresh=true": 1,
      "failure/refresh=true": 1,
    });
    expect(measured.longestMs).toBeLessThan(60_000);
  });

  test("a token request the gateway refuses: the span ends in error with its attempt, counted as a failure", async () => {
    gateway.setFaults([]);
    const config = createConfig({
      authBase: gateway.url,
      clientKey: "ck-otel-unknown-CANARY-0c4d",
      cacheDir: dir,
    });
    const error = await getAccessToken({ config }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthRuntimeError);
    const finished = takeSpans();
    expect(finished.map(summary)).toEqual([
      tokenSpan({
        "openclaw.auth.refresh": false,
        "openclaw.auth.attempts": 1,
        "error.type": "AUTH_SESSION_ERROR",
      }),
    ]);
    expect(finished[0]?.status.code).toBe(2);
    const measured = await tokenMetrics();
    expect(measured.counts).toMatchObject({ "failure/refresh=false": 1 });
    expect(measured.durations).toMatchObject({ "failure/refresh=false": 1 });
    expect(measured.longestMs).toBeLessThan(60_000);
  });

  test("no span attribute holds any form of the key, a token or the URL's query", () => {
    expect(produced.length).toBeGreaterThanOrEqual(5);
    const forms = (secret: string) => {
      const b64 = Buffer.from(secret).toString("base64");
      return [secret, encodeURIComponent(secret), b64, Buffer.from(secret).toString("base64url")];
    };
    const secrets = [
      KEY,
      "ck-otel-unknown-CANARY-0c4d",
      ...new Set(tokens),
      "query-secret-1234",
    ].flatMap(forms);
    const values = produced.flatMap((span) => [
      span.name,
      ...Object.values(span.attributes).map(String),
      span.status.message ?? "",
    ]);
    expect(values.filter((v) => secrets.some((s) => v.includes(s)))).toEqual([]);
  });
});

describe("without OpenTelemetry in use", () => {
  test("a plain import of the package loads no @opentelemetry module", async () => {
    const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const script = `await import(${JSON.stringify(entry)});
const loaded = Object.keys(require.cache);
console.log(JSON.stringify({ otel: loaded.filter((k) => k.includes("@opentelemetry")), total: loaded.length }));`;
    const child = Bun.spawnSync([process.execPath, "-e", script], { stderr: "pipe" });
    const out = JSON.parse(child.stdout.toString()) as { otel: string[]; total: number };
    expect(out.otel).toEqual([]);
    expect(out.total).toBeGreaterThan(10);
  });
});

describe("OpenTelemetry installed, a tracer provider registered late", () => {
  test("requests before the provider build no span; the first request after it has its span", async () => {
    const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const gatewayEntry = fileURLToPath(
      new URL("../../../dev-gateway/src/index.ts", import.meta.url),
    );
    // A process of its own: the API's global provider is process-wide.
    const script = `
const { trace, ProxyTracerProvider } = await import("@opentelemetry/api");
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
const runtime = await import(${JSON.stringify(entry)});
const { startDevGateway } = await import(${JSON.stringify(gatewayEntry)});
const { mkdtempSync, rmSync } = await import("node:fs");
const dir = mkdtempSync(require("node:os").tmpdir() + "/openclaw-otel-late-");
const gateway = startDevGateway({ clientKeys: ["ck-otel-late-CANARY-7a1f"] });
const config = runtime.createConfig({ clientKey: "ck-otel-late-CANARY-7a1f", authBase: gateway.url, cacheDir: dir });
// Counts the spans the API's proxy is asked for while no provider is registered.
const proxy = trace.getTracerProvider();
let asked = 0;
const getTracer = proxy.getTracer.bind(proxy);
proxy.getTracer = (...args) => { const t = getTracer(...args); const start = t.startSpan.bind(t); t.startSpan = (...a) => { asked++; return start(...a); }; return t; };
for (let i = 0; i < 3; i++) await runtime.requestApiWithAutoRefresh({ config, url: "/echo" });
const askedBefore = asked;
const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
await runtime.requestApiWithAutoRefresh({ config, url: "/echo" });
console.log(JSON.stringify({ askedBefore, asked, names: spans.getFinishedSpans().map((s) => s.name).sort() }));
await gateway.stop();
rmSync(dir, { recursive: true, force: true });
`;
    const child = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      stderr: "pipe",
    });
    expect(child.stderr.toString()).toBe("");
    const out = JSON.parse(child.stdout.toString()) as {
      askedBefore: number;
      asked: number;
      names: string[];
    };
    expect(out.askedBefore).toBe(0);
    expect(out.asked).toBe(2);
    expect(out.names).toEqual(["openclaw.auth.request", "openclaw.auth.token"]);
  });
});
