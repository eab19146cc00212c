/**
 * Test support shared by the suites: per-test fixtures (gateway + temp dir + config), a scripted
 * HTTP server for gateways the dev gateway does not imitate, a fetch that records what it sent,
 * and the recorder of every error and log line, scanned for the client key at the end.
 * Web and Node-standard APIs only: this runs under Bun and, bundled, under Node.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import type { EnvConfig, TokenManager, TokenManagerInit } from "@openclaw/auth-runtime";
import type { DevGatewayOptions } from "@openclaw/dev-gateway";
import type { GatewayControl, Harness } from "./types.ts";

/** The client key of every test: distinctive, so that a leak anywhere is found by a plain search. */
export const CLIENT_KEY = "ck-live-CANARY-7f3a9c";

/**
 * The environment every child process of the tests starts from: the parent's PATH, HOME and
 * TMPDIR, nothing else, so no AUTH_* or CLIENT_KEY of whoever runs the tests reaches a child.
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Generous: the machine running the suite may be small and busy. */
export const TEST_TIMEOUT_MS = 30_000;

/** Registers a test with the suite's default timeout. */
export function it(
  h: Harness,
  name: string,
  fn: () => Promise<void> | void,
  timeoutMs = TEST_TIMEOUT_MS,
): void {
  h.t.test(name, fn, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// What the suite produced: every error it caught and every console line, for the secret sweep.

const produced: string[] = [];

/** Remembers text the runtime produced (an error message, a warning, a child's output). */
export function recordOutput(text: string): void {
  produced.push(text);
}

/** Everything recorded so far. */
export function producedOutput(): readonly string[] {
  return produced;
}

/** Every text of an error: name, message, stack and the same of its causes. */
export function errorTexts(error: unknown, depth = 0): string[] {
  if (depth > 5 || error === undefined || error === null) return [];
  if (!(error instanceof Error)) return [format("%o", error)];
  const texts = [error.name, error.message, error.stack ?? "", format("%o", error)];
  return [...texts, ...errorTexts((error as { cause?: unknown }).cause, depth + 1)];
}

const CAPTURED = Symbol.for("openclaw.conformance.console-captured");

/** Records every console line from now on (and still prints it). Idempotent. */
export function installOutputCapture(): void {
  const host = globalThis as Record<symbol, unknown>;
  if (host[CAPTURED]) return;
  host[CAPTURED] = true;
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      recordOutput(format(...args));
      original(...args);
    };
  }
}

/** Awaits `action`, asserts that it rejects, records the error and returns it. */
export async function caught(action: Promise<unknown> | (() => unknown)): Promise<Error> {
  let error: unknown;
  try {
    await (typeof action === "function" ? action() : action);
  } catch (thrown) {
    error = thrown;
  }
  assert.ok(error instanceof Error, "expected an error to be thrown");
  for (const text of errorTexts(error)) recordOutput(text);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

export interface Fixture {
  readonly gateway: GatewayControl;
  /** A fresh temp dir, removed after the test. */
  readonly root: string;
  /** `${root}/cache`: not created; the runtime creates it. */
  readonly cacheDir: string;
  /** The variables behind {@link config}: AUTH_BASE, CLIENT_KEY, AUTH_CACHE_DIR and the test's own. */
  readonly env: Readonly<Record<string, string>>;
  readonly config: EnvConfig;
  /** Warnings of the managers made with {@link manager}. */
  readonly warnings: string[];
  /** A config for the same gateway with some variables changed. */
  configWith(env: Record<string, string>): EnvConfig;
  /** A token manager of its own (as another process would have), warnings kept in {@link warnings}. */
  manager(init?: Partial<TokenManagerInit>): TokenManager;
}

export interface FixtureOptions {
  readonly gateway?: DevGatewayOptions;
  readonly env?: Record<string, string>;
}

/** Makes a temp dir, removed with everything in it once `fn` settles. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-conformance-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A temp dir by its real path, as a process started in it sees its working dir. */
export async function withRealTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => fn(await realpath(dir)));
}

/** `fn` run with `dir` as the working dir (synchronously, so no other test sees the change). */
export function inDir<T>(dir: string, fn: () => T): T {
  const back = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(back);
  }
}

/** Runs `fn` with a dev gateway that knows {@link CLIENT_KEY}, a temp dir and a config. */
export async function withFixture(
  h: Harness,
  options: FixtureOptions,
  fn: (f: Fixture) => Promise<void>,
): Promise<void> {
  const gateway = await h.startGateway({ clientKeys: [CLIENT_KEY], ...options.gateway });
  try {
    await withTempDir(async (root) => {
      const cacheDir = join(root, "cache");
      const env = {
        AUTH_BASE: gateway.url,
        CLIENT_KEY,
        AUTH_CACHE_DIR: cacheDir,
        ...options.env,
      };
      const configWith = (more: Record<string, string>) =>
        h.api.createEnvConfig({ ...env, ...more }, { envFile: false });
      const config = configWith({});
      const warnings: string[] = [];
      const fixture: Fixture = {
        gateway,
        root,
        cacheDir,
        env,
        config,
        warnings,
        configWith,
        manager: (init = {}) =>
          h.api.createTokenManager({
            config,
            onWarning: (message) => {
              warnings.push(message);
              recordOutput(message);
            },
            ...init,
          }),
      };
      await fn(fixture);
    });
  } finally {
    await gateway.stop();
  }
}

/** Requests to `path` the gateway has seen. */
export async function requestsTo(gateway: GatewayControl, path: string): Promise<number> {
  return (await gateway.stats()).requests[path] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// The cache file as docs/cache.md documents it, computed without the runtime.

/** First 32 hex characters of SHA-256 over UTF-8 `authBase + "\n" + clientKey`. */
export function documentedCacheKey(authBase: string, clientKey: string): string {
  return createHash("sha256")
    .update(`${authBase}\n${clientKey}`, "utf8")
    .digest("hex")
    .slice(0, 32);
}

/** `{cacheDir}/token_<hash>.json`. */
export function documentedCachePath(cacheDir: string, authBase: string, clientKey: string): string {
  return join(cacheDir, `token_${documentedCacheKey(authBase, clientKey)}.json`);
}

export const nowSec = () => Date.now() / 1000;

/** An unsigned JWT-shaped token carrying `claims` (enough for a client that reads `exp`). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

// ---------------------------------------------------------------------------------------------
// A scripted HTTP server: a gateway that answers exactly what a test says.

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ScriptedReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

export interface ScriptedServer {
  /** "http://127.0.0.1:<port>". */
  readonly url: string;
  /** Every request, in order of arrival. */
  readonly seen: SeenRequest[];
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of request) chunks.push(chunk as Uint8Array);
  return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
}

/** A node:http server on loopback answering each request with `reply(request)`. */
export async function startScriptedServer(
  reply: (request: SeenRequest) => ScriptedReply,
): Promise<ScriptedServer> {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const request: SeenRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers,
      body: await readBody(req),
    };
    seen.push(request);
    const answer = reply(request);
    const body =
      answer.body === undefined
        ? ""
        : typeof answer.body === "string"
          ? answer.body
          : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` with a scripted server, stopped afterwards. */
export async function withScriptedServer(
  reply: (request: SeenRequest) => ScriptedReply,
  fn: (server: ScriptedServer) => Promise<void>,
): Promise<void> {
  const server = await startScriptedServer(reply);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// A fetch that records what it sends, then sends it for real.

export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** The real fetch, recording each request's method, URL, headers and body bytes first. */
export function recordingFetch(): {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  sent: SentRequest[];
} {
  const sent: SentRequest[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      const request =
        input instanceof Request ? new Request(input, init) : new Request(String(input), init);
      sent.push({
        method: request.method,
        url: request.url,
        headers: new Headers(request.headers),
        body: new Uint8Array(await request.clone().arrayBuffer()),
      });
      return fetch(request);
    },
  };
}

/** Text of bytes. */
export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Milliseconds `fn` took, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Milliseconds until `promise` settled, and its error (asserting it rejected). */
export async function timedError(promise: Promise<unknown>): Promise<{ ms: number; error: Error }> {
  const start = performance.now();
  const error = await caught(promise);
  return { ms: performance.now() - start, error };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
