/**
 * Which proxy a request went through, so that a failed connection names the proxy (which is
 * what did not answer) rather than only the gateway. Bun's fetch honours `HTTP_PROXY`,
 * `HTTPS_PROXY` and `NO_PROXY`; Node 20's fetch honours none of them (it needs a dispatcher),
 * so only Bun's platform asks.
 */

import type { ProxyUse } from "../platform/platform.ts";

/** What reads the environment: `process.env` on Bun. */
type Env = Readonly<Record<string, string | undefined>>;

/** The first of `names` set to a non-empty value, as Bun reads them (lower case first). */
function firstSet(env: Env, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value && value !== '""' && value !== "''") return [name, value];
  }
  return undefined;
}

/** IPv4 `a.b.c.d` as a 32-bit number, or undefined. */
function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
    return undefined;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** True when `NO_PROXY`'s `entry` covers `url` (Bun 1.4's rules: see proxyFromEnv). */
function bypasses(entry: string, url: URL): boolean {
  const hostname = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  let name = entry.toLowerCase().replace(/^\./, "");
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(name);
  if (withPort) {
    if (withPort[2] !== port) return false;
    name = withPort[1] ?? "";
  }
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(name);
  if (cidr) {
    const base = ipv4(cidr[1] ?? "");
    const address = ipv4(hostname);
    const bits = Number(cidr[2]);
    if (base === undefined || address === undefined || bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (base & mask) >>> 0 === (address & mask) >>> 0;
  }
  // An address matches itself only; a name matches itself and its subdomains.
  if (ipv4(hostname) !== undefined || hostname.startsWith("[")) return hostname === name;
  return hostname === name || hostname.endsWith(`.${name}`);
}

/**
 * The proxy Bun's fetch sends a request for `url` through, by `env`: `http_proxy`/`HTTP_PROXY`
 * for http URLs, `https_proxy`/`HTTPS_PROXY` for https ones, none when `no_proxy`/`NO_PROXY`
 * is `*` or has an entry for the URL's host (a name and its subdomains, a leading dot ignored;
 * an address or a CIDR range; `host:port` for that port only; any case).
 * @example
 * proxyFromEnv("http://127.0.0.1:8787/auth/session", { HTTP_PROXY: "http://u:p@127.0.0.1:9" });
 * // { origin: "http://127.0.0.1:9", variable: "HTTP_PROXY" }
 */
export function proxyFromEnv(url: string, env: Env): ProxyUse | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const names =
    target.protocol === "https:"
      ? ["https_proxy", "HTTPS_PROXY"]
      : target.protocol === "http:"
        ? ["http_proxy", "HTTP_PROXY"]
        : [];
  const proxy = firstSet(env, names);
  if (!proxy) return undefined;
  const noProxy = firstSet(env, ["no_proxy", "NO_PROXY"])?.[1] ?? "";
  for (const item of noProxy.split(",")) {
    const entry = item.trim();
    if (entry === "*") return undefined;
    if (entry !== "" && entry !== "." && bypasses(entry, target)) return undefined;
  }
  const [variable, value] = proxy;
  return { origin: proxyOrigin(value, variable), variable, secrets: proxyCredentials(value) };
}

/** `text` percent-decoded, or as it is when it is no valid encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The secrets in a proxy variable's value: its userinfo (the authority's part before the last
 * `@`, with or without a scheme: Bun reads `TOKEN@host:port` as a host named `TOKEN@host` and
 * says so in its error), as written and percent-decoded, and its password alone. `Basic
 * base64(user:pass)` is one of the forms redactSecrets removes of `user:pass`.
 *
 * @example
 * proxyCredentials("http://me:p%40ss@127.0.0.1:3128"); // ["me:p%40ss", "me:p@ss", "p%40ss", "p@ss"]
 */
export function proxyCredentials(value: string): string[] {
  const rest = value.trim().replace(/^[a-z][a-z\d+.-]*:\/\//i, "");
  const authority = rest.split(/[/?#]/, 1)[0] ?? "";
  const at = authority.lastIndexOf("@");
  if (at <= 0) return [];
  const userinfo = authority.slice(0, at);
  const forms = [userinfo, decoded(userinfo)];
  const colon = userinfo.indexOf(":");
  if (colon >= 0) {
    const password = userinfo.slice(colon + 1);
    forms.push(password, decoded(password));
  }
  return [...new Set(forms)].filter((form) => form !== "");
}

/** The proxy's origin, without userinfo (a password) or path; a scheme-less value as Bun reads it. */
function proxyOrigin(value: string, variable: string): string {
  try {
    const parsed = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    if (parsed.origin !== "null") return parsed.origin;
  } catch {
    // Not a URL: named by where it came from, never quoted (it may hold a password).
  }
  return `the proxy in ${variable}`;
}

/** Connection failures that mean the proxy itself did not answer. */
const NO_ANSWER = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ConnectionRefused/;

/**
 * The words a network failure's message gains when its request went through `proxy`:
 * `through the proxy http://127.0.0.1:9 (HTTP_PROXY); it did not answer`.
 */
export function throughProxy(proxy: ProxyUse, reason: string): string {
  const named = proxy.origin.startsWith("the proxy")
    ? `through ${proxy.origin}`
    : `through the proxy ${proxy.origin} (${proxy.variable})`;
  return NO_ANSWER.test(reason) ? `${named}; it did not answer` : named;
}
