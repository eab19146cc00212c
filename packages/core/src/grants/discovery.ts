/**
 * The token endpoint of an issuer, from its metadata: RFC 8414
 * (`/.well-known/oauth-authorization-server`, inserted before the issuer's path), then OpenID
 * Connect Discovery (`{issuer}/.well-known/openid-configuration`). Asked once per process (for
 * each fetch, timeout and store), and not even that when another process left what it found in
 * the discovery store.
 */

import { brokenTokenUrlRule } from "../config/config.ts";
import { AuthNetworkError, AuthSessionError, redactedCause } from "../errors/errors.ts";
import { type BoundedResponse, boundedFetch } from "../http/bounded-fetch.ts";
import { describeRequest } from "../http/describe-request.ts";
import { abortedError, describeFetchFailure, raceSignal } from "../http/retry.ts";
import type { DiscoveryStore, GrantContext } from "./grant.ts";

/** A metadata document is a few KiB; this bounds a hostile one. */
export const MAX_DISCOVERY_BYTES = 64 * 1024;

/** The two metadata URLs of `issuer`, in the order they are tried. */
export function discoveryUrls(issuer: string): readonly string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

const withoutSlash = (text: string) => text.replace(/\/$/, "");

/**
 * Why `metadata` names no token endpoint for `issuer`, or undefined when it names one: the
 * document must be the issuer's own (RFC 8414 §3.3: its `issuer` is the one asked, else an
 * attacker's document could name its own endpoint), and its `token_endpoint` an absolute URL
 * that obeys AUTH_TOKEN_URL's rules (https or http to loopback, no credentials, no fragment):
 * the client credentials go there as they would to a configured one. The URL is not quoted.
 */
function tokenEndpointProblem(issuer: string, metadata: unknown): string | undefined {
  if (typeof metadata !== "object" || metadata === null) return "no JSON metadata";
  const { issuer: named, token_endpoint } = metadata as Record<string, unknown>;
  if (typeof named !== "string" || withoutSlash(named) !== withoutSlash(issuer)) {
    return 'its "issuer" is not AUTH_ISSUER';
  }
  if (typeof token_endpoint !== "string" || !URL.canParse(token_endpoint)) {
    return "no absolute token_endpoint";
  }
  const broken = brokenTokenUrlRule(token_endpoint);
  return broken === undefined ? undefined : `its token_endpoint ${broken}`;
}

/** The `token_endpoint` of a metadata document, when it may be used (see tokenEndpointProblem). */
export function tokenEndpointOf(issuer: string, metadata: unknown): string | undefined {
  if (tokenEndpointProblem(issuer, metadata) !== undefined) return undefined;
  return (metadata as { token_endpoint: string }).token_endpoint;
}

/**
 * How long a stored discovery serves other processes. Metadata rarely changes, and a token
 * endpoint that moved is found again a day later at most; `clear` removes the file sooner.
 */
export const DISCOVERY_MAX_AGE_SEC = 24 * 60 * 60;

/** What the discovery store keeps: the issuer (checked again on reading), its token endpoint, when. */
interface StoredDiscovery {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly discovered_at: number;
}

/**
 * The token endpoint a stored discovery names, when it is the issuer's, still young and one
 * that may receive credentials (the same check as a fresh document); anything else is a miss.
 */
export function storedTokenEndpoint(
  issuer: string,
  text: string | undefined,
  nowSec: number,
): string | undefined {
  if (text === undefined || text.length > MAX_DISCOVERY_BYTES) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return undefined;
  }
  const at = (stored as { discovered_at?: unknown } | null)?.discovered_at;
  if (typeof at !== "number" || !(at <= nowSec && nowSec - at < DISCOVERY_MAX_AGE_SEC)) {
    return undefined;
  }
  return tokenEndpointOf(issuer, stored);
}

/** The stored form of a discovery (see {@link storedTokenEndpoint}). */
export function storedDiscovery(issuer: string, tokenEndpoint: string, nowSec: number): string {
  const stored: StoredDiscovery = {
    issuer,
    token_endpoint: tokenEndpoint,
    discovered_at: Math.floor(nowSec),
  };
  return JSON.stringify(stored);
}

/** The store's answer, a failure of the store being a miss: discovery asks the issuer then. */
async function fromStore(store: DiscoveryStore | undefined, issuer: string) {
  if (!store) return undefined;
  const text = await store.get(issuer).catch(() => undefined);
  return storedTokenEndpoint(issuer, text, Date.now() / 1000);
}

/**
 * One discovery, shared by every token request that needs it and agrees on everything it uses
 * (see {@link sharingKey}: configs that differ in scope or client share an issuer). It runs under
 * a signal of its own: one caller's abort releases that caller only, and the discovery is
 * cancelled when no caller waits any more.
 */
interface SharedDiscovery {
  readonly endpoint: Promise<string>;
  readonly controller: AbortController;
  /** Callers that joined it: when all have aborted before it settled, it is cancelled. */
  waiting: number;
}

/**
 * Discoveries, by the fetch they use, then by {@link sharingKey}: the process asks each issuer
 * once per fetch, timeout and store. A WeakMap: a caller's fetch that is dropped takes its
 * discoveries with it.
 */
let discovered = new WeakMap<GrantContext["fetch"], Map<string, SharedDiscovery>>();

/** An identity for each store that names none (`DiscoveryStore.id`), by the object. */
const storeIds = new WeakMap<DiscoveryStore, number>();
let nextStoreId = 0;

/**
 * What a discovery of `issuer` under `context` uses besides its fetch: the timeout of each
 * metadata request, and the store it reads and writes (the cache dir, or none). A caller joins a
 * discovery only when all of these are its own: under another config's timeout it could wait
 * far longer than its own allows, and another cache dir is not its to read or write.
 */
function sharingKey(issuer: string, context: GrantContext): string {
  const store = context.discoveryStore;
  let storeId = "none";
  if (store?.id !== undefined) storeId = `id:${store.id}`;
  else if (store) {
    let id = storeIds.get(store);
    if (id === undefined) {
      id = nextStoreId++;
      storeIds.set(store, id);
    }
    storeId = `object:${id}`;
  }
  return JSON.stringify([issuer, context.timeoutMs, storeId]);
}

/**
 * The token endpoint of `issuer`, asked once per process for each fetch, timeout and store (a
 * failure is not remembered: the next token request asks again). Each metadata request follows
 * no redirect, reads at most 64 KiB and has the per-attempt timeout; a network failure is an
 * {@link AuthNetworkError}, no usable document at either URL an {@link AuthSessionError}.
 * `context.signal` releases this caller at once; the requests themselves stop when every caller
 * has gone.
 * @example
 * const tokenUrl = await discoverTokenEndpoint("https://idp.example.com/realms/x", { fetch, signal, timeoutMs: 10_000 });
 */
export function discoverTokenEndpoint(issuer: string, context: GrantContext): Promise<string> {
  const request = describeRequest("GET", issuer);
  if (context.signal.aborted) {
    return Promise.reject(abortedError("OAuth discovery", context.signal, request));
  }
  let byKey = discovered.get(context.fetch);
  if (!byKey) {
    byKey = new Map();
    discovered.set(context.fetch, byKey);
  }
  const sharing = byKey;
  const key = sharingKey(issuer, context);
  let shared = sharing.get(key);
  if (!shared) {
    const controller = new AbortController();
    const endpoint = discover(issuer, { ...context, signal: controller.signal });
    const started: SharedDiscovery = { endpoint, controller, waiting: 0 };
    endpoint.catch(() => {
      if (sharing.get(key) === started) sharing.delete(key);
    });
    sharing.set(key, started);
    shared = started;
  }
  const joined = shared;
  joined.waiting++;
  return raceSignal(joined.endpoint, context.signal, "OAuth discovery", request, () => {
    joined.waiting--;
    if (joined.waiting > 0) return;
    // Nobody wants the answer: a caller arriving from now on starts a discovery of its own.
    if (sharing.get(key) === joined) sharing.delete(key);
    joined.controller.abort(
      new DOMException("Every caller waiting for the OAuth discovery aborted", "AbortError"),
    );
  });
}

/** Forgets what was discovered (tests; a process that knows its issuer moved). */
export function forgetDiscoveredEndpoints(): void {
  discovered = new WeakMap();
}

async function discover(issuer: string, context: GrantContext): Promise<string> {
  const stored = await fromStore(context.discoveryStore, issuer);
  if (stored !== undefined) return stored;
  const endpoint = await ask(issuer, context);
  // Another process then reads it instead of asking; a store that cannot write changes nothing.
  await context.discoveryStore
    ?.set(issuer, storedDiscovery(issuer, endpoint, Date.now() / 1000))
    .catch(() => {});
  return endpoint;
}

/** Asks the issuer's two metadata URLs in turn. */
async function ask(issuer: string, context: GrantContext): Promise<string> {
  const answers: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    const where = describeRequest("GET", url);
    let answer: BoundedResponse;
    try {
      answer = await boundedFetch({
        fetch: context.fetch,
        url,
        init: { headers: { accept: "application/json" } },
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        maxBytes: MAX_DISCOVERY_BYTES,
        // Only a 2xx document is read: a redirect or an error page names no endpoint.
        readBody: (response) => response.ok,
      });
    } catch (error) {
      const failure = describeFetchFailure(error, context.signal, context.timeoutMs);
      throw new AuthNetworkError(`OAuth discovery failed: ${failure.reason} (${where})`, {
        cause: redactedCause(error, []),
        reason: failure.kind,
        request: where,
      });
    }
    const { status } = answer.response;
    const text = answer.text;
    let metadata: unknown;
    try {
      metadata = text === undefined ? undefined : JSON.parse(text);
    } catch {
      metadata = undefined;
    }
    const problem = tokenEndpointProblem(issuer, metadata);
    if (problem === undefined) return (metadata as { token_endpoint: string }).token_endpoint;
    answers.push(`HTTP ${status} at ${where.slice("GET ".length)}: ${problem}`);
  }
  throw new AuthSessionError(
    `OAuth discovery found no token endpoint for the issuer ${issuer} (${answers.join(", ")}): a document must be the issuer's own (its "issuer" equal to AUTH_ISSUER) and name an https token_endpoint`,
    { request: describeRequest("GET", issuer) },
  );
}
