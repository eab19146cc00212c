/** What one run left behind, and the invariants checked on it, one function each. */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SecretSet } from "./secrets.ts";
import type { Recorded } from "./wire.ts";

/** The token response cap of docs/security.md ("a token response is read up to 64 KiB"). */
export const TOKEN_BODY_CAP = 64 * 1024;
export const ACCESS_TOKEN = /^[\x21-\x7e]{1,16384}$/;

export interface CallResult {
  readonly call: string;
  readonly settled: boolean;
  readonly ms: number;
  readonly token?: string;
  /** Bytes of an API response body the caller got, and the cap it asked for. */
  readonly bodyBytes?: number;
  readonly cap?: number;
  readonly error?: unknown;
  /** The log entries made while the call ran, [from, to). */
  readonly requests?: readonly [number, number];
  /** The origins the call's config lets the token go to. */
  readonly origins?: readonly string[];
}

export interface CacheEntry {
  readonly where: string;
  /** undefined: not readable as text (a dir, a dangling link). */
  readonly text: string | undefined;
}

export interface Outcome {
  readonly log: readonly Recorded[];
  readonly results: readonly CallResult[];
  readonly events: readonly unknown[];
  readonly unhandled: readonly unknown[];
  readonly entries: readonly CacheEntry[];
  /** The client key (or PEM) and the client id. */
  readonly key: string;
  /** Every token the answers held, valid or not, with what the answer was. */
  readonly tokens: ReadonlyMap<string, { status: number; decodedBytes: number; path: string }>;
  /** (port, target) pairs the key may go to: the token endpoints, configured or discovered. */
  readonly keyTargets: ReadonlySet<string>;
  /** Origins that may receive the token. */
  readonly tokenOrigins: ReadonlySet<string>;
  /** Tokens a cache may legitimately hold before the run (a drawn valid cache file). */
  readonly preexisting: ReadonlySet<string>;
  /** Cache texts drawn before the run: a file the run never touched is not its doing. */
  readonly drawnTexts: ReadonlySet<string>;
  readonly maxTtlSec: number;
  readonly startedSec: number;
}

/** The invariants, by the name their tests carry. Each returns a violation or undefined. */
export type Invariant = (o: Outcome) => string | undefined;

const portOf = (origin: string) => origin.replace(/^.*:/, "");

export const keyOnlyToTokenEndpoint: Invariant = (o) => {
  const secrets = new SecretSet();
  secrets.add("client key", o.key);
  for (const r of o.log) {
    if (r.method === "POST" && o.keyTargets.has(`${portOf(r.origin)} ${r.target}`)) continue;
    const found = secrets.find(`${r.head}\r\n\r\n${r.body}`);
    if (found) return `${r.method} ${r.origin}${r.target.slice(0, 80)} carried the ${found}`;
  }
  return undefined;
};

function tokenSecrets(o: Outcome): SecretSet {
  const secrets = new SecretSet();
  for (const token of o.tokens.keys()) {
    // A refused token is matched by its marker, the part no other text holds.
    const core = ACCESS_TOKEN.test(token) ? token : /tk_[0-9a-f]{12}/.exec(token)?.[0];
    secrets.add("access token", core);
  }
  return secrets;
}

export const tokenOnlyToAllowedOrigins: Invariant = (o) => {
  const secrets = tokenSecrets(o);
  for (const [i, r] of o.log.entries()) {
    // Judged by the config of the call that made it, when one did.
    const call = o.results.find((c) => c.requests && i >= c.requests[0] && i < c.requests[1]);
    const allowed = call?.origins ? new Set(call.origins) : o.tokenOrigins;
    if (allowed.has(r.origin)) continue;
    const found = secrets.find(`${r.head}\r\n\r\n${r.body}`);
    if (found) return `${r.method} ${r.origin}${r.target.slice(0, 80)} carried an ${found}`;
    if (/\r\nauthorization:\s*bearer/i.test(r.head)) {
      return `${r.method} ${r.origin}${r.target.slice(0, 80)} carried a Bearer header`;
    }
  }
  return undefined;
};

export const bodiesWithinCaps: Invariant = (o) => {
  for (const r of o.results) {
    if (r.token !== undefined) {
      const from = o.tokens.get(r.token);
      if (from && from.decodedBytes > TOKEN_BODY_CAP) {
        return `${r.call} accepted a token from a ${from.decodedBytes}-byte body (cap ${TOKEN_BODY_CAP})`;
      }
    }
    if (r.bodyBytes !== undefined && r.cap !== undefined && r.bodyBytes > r.cap) {
      return `${r.call} returned a ${r.bodyBytes}-byte body above maxResponseBytes ${r.cap}`;
    }
  }
  return undefined;
};

/** Whether a token is one a cache may hold: a 2xx answer within the cap, or a drawn valid file. */
function legitimate(o: Outcome, token: string): string | undefined {
  if (!ACCESS_TOKEN.test(token)) return "not visible ASCII of 1..16384 characters";
  if (o.preexisting.has(token)) return undefined;
  const from = o.tokens.get(token);
  if (!from) return `a token no answer issued (${token.slice(0, 24)}…)`;
  if (from.status < 200 || from.status > 299) return `a token from an HTTP ${from.status} answer`;
  if (from.decodedBytes > TOKEN_BODY_CAP) return `a token from a ${from.decodedBytes}-byte body`;
  return undefined;
}

export const nothingMalformedCached: Invariant = (o) => {
  const nowSec = Date.now() / 1000;
  for (const e of o.entries) {
    if (e.where.endsWith(".lock") || /discovery_/.test(e.where)) continue;
    if (/\.tmp|\.\d+$/.test(e.where)) return `${e.where}: a temp file outlived the run`;
    if (e.text === undefined || o.drawnTexts.has(e.text)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(e.text);
    } catch {
      return `${e.where}: not JSON (${e.text.slice(0, 60)})`;
    }
    const entry = parsed as { access_token?: unknown; expires_at?: unknown; expires_in?: unknown };
    if (typeof entry !== "object" || entry === null) return `${e.where}: not an object`;
    if (typeof entry.access_token !== "string") return `${e.where}: no access_token`;
    const why = legitimate(o, entry.access_token);
    if (why) return `${e.where}: holds ${why}`;
    if (typeof entry.expires_at !== "number" || !Number.isFinite(entry.expires_at)) {
      return `${e.where}: expires_at ${String(entry.expires_at)} is not finite`;
    }
    if (entry.expires_at > nowSec + o.maxTtlSec + 5) {
      return `${e.where}: expires_at ${entry.expires_at} beyond AUTH_MAX_TTL_SEC`;
    }
    if (typeof entry.expires_in !== "number" || !Number.isFinite(entry.expires_in)) {
      return `${e.where}: expires_in ${String(entry.expires_in)} is not finite`;
    }
  }
  for (const r of o.results) {
    if (r.token === undefined) continue;
    const why = legitimate(o, r.token);
    if (why) return `${r.call} served ${why}`;
  }
  return undefined;
};

/** Every string reachable from an error: message, own enumerable fields, oauthError, causes. */
function strings(value: unknown, out: string[], depth = 0, seen = new Set<unknown>()): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === "string") {
    out.push(value);
    return;
  }
  if (typeof value !== "object" && typeof value !== "function") {
    out.push(String(value));
    return;
  }
  if (seen.has(value)) return;
  seen.add(value);
  const record = value as Record<string, unknown>;
  if (value instanceof Error) {
    out.push(value.message, String(value.name));
    strings(record.cause, out, depth + 1, seen);
  }
  strings(record.oauthError, out, depth + 1, seen);
  for (const key of Object.keys(record)) strings(record[key], out, depth + 1, seen);
}

export const noSecretInErrors: Invariant = (o) => {
  const secrets = new SecretSet();
  secrets.add("client key", o.key);
  for (const r of o.results) secrets.add("access token", r.token);
  for (const r of o.log) {
    const bearer = /\r\nauthorization:\s*bearer\s+(\S+)/i.exec(r.head)?.[1];
    secrets.add("access token", bearer);
  }
  for (const r of o.results) {
    if (r.error === undefined) continue;
    const texts: string[] = [];
    strings(r.error, texts);
    for (const text of texts) {
      const found = secrets.find(text);
      if (found) {
        const name = (r.error as { name?: string }).name ?? "error";
        return `${r.call}: ${name} holds the ${found}`;
      }
    }
  }
  for (const event of o.events) {
    const texts: string[] = [];
    strings(event, texts);
    const found = texts.map((t) => secrets.find(t)).find(Boolean);
    if (found) return `event ${(event as { type?: string }).type} holds the ${found}`;
  }
  return undefined;
};

export const settlesWithoutUnhandledRejection: Invariant = (o) => {
  const hung = o.results.find((r) => !r.settled);
  if (hung) return `${hung.call} did not settle within ${hung.ms} ms`;
  if (o.unhandled.length > 0) {
    const first = o.unhandled[0];
    return `unhandled rejection: ${first instanceof Error ? `${first.name}: ${first.message.slice(0, 120)}` : String(first)}`;
  }
  return undefined;
};

/** The cache dir's files (symlinks and dirs named, not followed), for the cache invariant. */
export async function cacheEntries(dir: string): Promise<CacheEntry[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const entries: CacheEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) {
      entries.push({ where: name, text: undefined });
      continue;
    }
    entries.push({ where: name, text: await readFile(path, "utf8").catch(() => undefined) });
  }
  return entries;
}

/**
 * The coarse memory bound of refused bombs, measured out of the property loop: growing by three
 * quarters of a bomb's inflated size (512 MiB) means it was inflated in memory, cap or no cap;
 * a bounded read stays far below (Bun's fetch buffers up to some 200 MiB ahead of a reader).
 */
export const RSS_GROWTH_LIMIT_MB = 384;
