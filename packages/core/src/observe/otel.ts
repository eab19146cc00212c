/**
 * OpenTelemetry, when the application has `@opentelemetry/api` installed (an optional peer
 * dependency): spans `openclaw.auth.token` and `openclaw.auth.request`, the counter
 * `openclaw.auth.token_requests` and the histogram `openclaw.auth.token_request.duration` (ms).
 * The package is imported on the first token or request after anything is registered with it
 * (a tracer or meter provider, ...), once; until then, and without it, nothing is recorded and
 * nothing else changes. No attribute holds the key, a token or a URL query.
 */

/** The part of a span this module uses (the API's `Span`). */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

interface OtelCounter {
  add(value: number, attributes?: Record<string, string | boolean>): void;
}
interface OtelHistogram {
  record(value: number, attributes?: Record<string, string | boolean>): void;
}

/** The part of `@opentelemetry/api` this module uses, typed here so that none is required. */
interface OtelApi {
  readonly trace: {
    /** The global provider: in the API, a proxy that serves no-op spans until one is registered. */
    getTracerProvider?(): { getDelegateTracer?(name: string): unknown };
    getTracer(name: string): {
      startSpan(
        name: string,
        options?: { attributes?: Record<string, string | number | boolean> },
        context?: unknown,
      ): OtelSpan;
    };
    setSpan(context: unknown, span: OtelSpan): unknown;
  };
  readonly context: { active(): unknown };
  readonly metrics: {
    getMeter(name: string): {
      createCounter(name: string, options?: { description?: string; unit?: string }): OtelCounter;
      createHistogram(
        name: string,
        options?: { description?: string; unit?: string },
      ): OtelHistogram;
    };
  };
}

import { processObservers } from "./events.ts";

const SCOPE = "@openclaw/auth-runtime";
/** SpanStatusCode.ERROR of the API (a stable number). */
const STATUS_ERROR = 2;

/** undefined: not tried yet; null: not installed (or not usable); else the API. */
let api: OtelApi | null | undefined;
let loading: Promise<void> | undefined;
/** The API's tracer is a proxy: taken once, it follows a provider registered later. */
let tracer: ReturnType<OtelApi["trace"]["getTracer"]> | undefined;

function usable(mod: unknown): OtelApi | null {
  const candidate = (mod as { default?: unknown } | null)?.default ?? mod;
  const shape = candidate as Partial<OtelApi> | null;
  return typeof shape?.trace?.getTracer === "function" &&
    typeof shape.metrics?.getMeter === "function" &&
    typeof shape.context?.active === "function"
    ? (shape as OtelApi)
    : null;
}

/**
 * Where `@opentelemetry/api` 1.x keeps whatever is registered with it (providers, a context
 * manager): set only by an application that imported the API and registered an SDK.
 */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/**
 * True once something is registered with the API. Until then no span or metric could be
 * recorded, so the import (~10 ms of a short process) is not made: a warm short script never
 * pays for it, and the first token after an SDK is registered still waits for it (its span).
 */
function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] !== undefined;
}

/**
 * Tries to import `@opentelemetry/api`, once per process, when something is registered with it
 * (else it resolves at once, and a later call tries again). The specifier is a variable so that
 * no bundler pulls the package in: it is the application's, found from where the runtime lives.
 */
export function loadOtel(): Promise<void> {
  if (!loading && !otelRegistered()) return Promise.resolve();
  loading ??= (async () => {
    const specifier = "@opentelemetry/api";
    try {
      api = usable(await import(specifier));
      if (api) processObservers.count++;
    } catch {
      api = null;
    }
  })();
  return loading;
}

/** True when no caller needs to wait: the import was tried (whatever came of it), or nothing is registered. */
export function otelSettled(): boolean {
  return api !== undefined || (!loading && !otelRegistered());
}

/** True when spans and metrics are recorded. */
export function otelActive(): boolean {
  return api !== undefined && api !== null;
}

/** True once an SDK registered a tracer provider: from then on it cannot go back to none. */
let providerSeen = false;

/**
 * True when a span would reach a tracer provider. With the API installed and no SDK registered,
 * the API hands out no-op spans, and building one (context lookups, the span object) costs more
 * than the rest of a warm request (BENCHMARKS.md): so none is built. The provider is asked on
 * every span until one is there, as an SDK may be registered after the first request.
 */
function providerRegistered(otel: OtelApi): boolean {
  if (providerSeen) return true;
  const provider = otel.trace.getTracerProvider?.();
  // Not the API's proxy (another shape of the API): spans may be recorded.
  if (typeof provider?.getDelegateTracer !== "function") return true;
  providerSeen = provider.getDelegateTracer(SCOPE) !== undefined;
  return providerSeen;
}

/** True when {@link startSpan} would start one: a caller can then skip building its attributes. */
export function tracing(): boolean {
  return api !== undefined && api !== null && providerRegistered(api);
}

/**
 * Starts a span (a child of `parent` when given), or undefined without OpenTelemetry or without
 * a registered tracer provider.
 */
export function startSpan(
  name: "openclaw.auth.token" | "openclaw.auth.request",
  attributes: Record<string, string | number | boolean>,
  parent?: OtelSpan,
): OtelSpan | undefined {
  if (!api || !providerRegistered(api)) return undefined;
  const context = parent ? api.trace.setSpan(api.context.active(), parent) : undefined;
  tracer ??= api.trace.getTracer(SCOPE);
  return tracer.startSpan(name, { attributes }, context);
}

/** Ends `span` as failed with `error`'s code (never its message: it may quote a response). */
export function endSpanWithError(span: OtelSpan | undefined, error: unknown): void {
  if (!span) return;
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === "string" ? code : ((error as Error | null)?.name ?? "Error");
  span.setAttribute("error.type", type);
  span.setStatus({ code: STATUS_ERROR, message: type });
  span.end();
}

/** Counts one token request to the gateway and records how long it took. */
export function recordTokenRequest(ms: number, outcome: "success" | "failure", refresh: boolean) {
  if (!api) return;
  // The meter is looked up per request (rare): a meter provider registered later is then used.
  const meter = api.metrics.getMeter(SCOPE);
  const attributes = { "openclaw.auth.outcome": outcome, "openclaw.auth.refresh": refresh };
  meter
    .createCounter("openclaw.auth.token_requests", {
      description: "Token requests sent to the gateway",
    })
    .add(1, attributes);
  meter
    .createHistogram("openclaw.auth.token_request.duration", {
      description: "Duration of a token request, retries included",
      unit: "ms",
    })
    .record(ms, attributes);
}
