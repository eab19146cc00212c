/** Where a token may be sent: the AUTH_BASE origin, allowed origins, and https (or loopback http). */

import type { EnvConfig } from "../config/config.ts";
import { isLoopbackHost } from "../config/rules.ts";
import { ApiError } from "../errors/errors.ts";
import { describeRequest } from "./describe-request.ts";

/** "/x" but not "//host": text that resolves under AUTH_BASE rather than naming a host. */
function isPlainPath(text: string): boolean {
  return text.charCodeAt(0) === 47 /* / */ && text.charCodeAt(1) !== 47;
}

/** What a request needs to know of an AUTH_BASE, parsed once: parsing it per request is measurable. */
interface BaseInfo {
  readonly origin: string;
  /** https, or plain http to a loopback host: the base itself may carry a token. */
  readonly secure: boolean;
  /** Paths already joined to the base (see {@link resolveApiHref}). */
  readonly hrefs: Map<string, string>;
}

const bases = new Map<string, BaseInfo>();
const MAX_BASES = 64;

function baseInfo(authBase: string): BaseInfo {
  let info = bases.get(authBase);
  if (info === undefined) {
    const url = new URL(authBase);
    info = { origin: url.origin, secure: isSecureTransport(url), hrefs: new Map() };
    if (bases.size >= MAX_BASES) bases.clear();
    bases.set(authBase, info);
  }
  return info;
}

/**
 * The URL a request goes to, if the token may go there: a path resolves against `authBase`;
 * an absolute URL must have `authBase`'s origin or one in `allowedOrigins`; plain http only to
 * loopback hosts. Otherwise an {@link ApiError} before anything is sent.
 */
export function resolveApiUrl(
  url: string | URL,
  config: Pick<EnvConfig, "authBase" | "allowedOrigins">,
  method = "GET",
): URL {
  const text = typeof url === "string" ? url : String(url);
  // A path ("/x", not "//host") is the common case; only other text needs the scheme test.
  const isAbsolute =
    !isPlainPath(text) && (/^[a-z][a-z\d+.-]*:/i.test(text) || text.startsWith("//"));
  let resolved: URL;
  try {
    resolved = isAbsolute
      ? new URL(text)
      : new URL(`${config.authBase}${text.startsWith("/") ? "" : "/"}${text}`);
  } catch (error) {
    const request = describeRequest(method, text);
    throw new ApiError(`Invalid request URL: ${request}`, {
      cause: error,
      reason: "refused",
      request,
    });
  }
  // The description (a string scan) is built only for an error message.
  const origin = resolved.origin;
  if (origin !== baseInfo(config.authBase).origin && !config.allowedOrigins.includes(origin)) {
    const request = describeRequest(method, resolved);
    throw new ApiError(
      `Refusing to send the token to ${resolved.origin}: not the AUTH_BASE origin and not in AUTH_ALLOWED_ORIGINS (${request})`,
      { reason: "refused", request },
    );
  }
  if (!isSecureTransport(resolved)) insecureTransport(resolved, describeRequest(method, resolved));
  return resolved;
}

/** Joined paths kept per base: enough for an API's routes, not for every query string. */
const MAX_HREFS = 256;

/**
 * `resolveApiUrl(url, config, method).href`, for the request path. A path ("/x", not "//host")
 * appended to an AUTH_BASE cannot leave that base's origin, so when the base itself may carry
 * the token there is nothing to check, and the text goes to fetch as it is (fetch parses it,
 * normalising it exactly as `new URL` would). Parsing and checking it here would cost more
 * than the rest of the request's own work. The joined text is kept for the next request to the
 * same path: Bun's fetch takes a string it has seen before measurably faster than a new one.
 */
export function resolveApiHref(
  url: string | URL,
  config: Pick<EnvConfig, "authBase" | "allowedOrigins">,
  method = "GET",
): string {
  if (typeof url === "string" && isPlainPath(url)) {
    const base = baseInfo(config.authBase);
    if (base.secure) {
      let href = base.hrefs.get(url);
      if (href === undefined) {
        href = config.authBase + url;
        if (base.hrefs.size >= MAX_HREFS) base.hrefs.clear();
        base.hrefs.set(url, href);
      }
      return href;
    }
  }
  return resolveApiUrl(url, config, method).href;
}

/** Where a token may go: `authBase`'s origin and the allowed ones. */
export type TokenOrigins = Pick<EnvConfig, "authBase" | "allowedOrigins">;

/**
 * True when `url` may receive the token under `origins` (the origin rule and the transport
 * rule of {@link resolveApiUrl}, without the error): what each redirect hop is checked against.
 */
export function mayReceiveToken(url: URL, origins: TokenOrigins): boolean {
  const origin = url.origin;
  return (
    (origin === baseInfo(origins.authBase).origin || origins.allowedOrigins.includes(origin)) &&
    isSecureTransport(url)
  );
}

/** Plain http exposes the token on the wire; only loopback is exempt. */
function isSecureTransport(url: URL): boolean {
  const protocol = url.protocol;
  return protocol === "https:" || (protocol === "http:" && isLoopbackHost(url.hostname));
}

/** Throws unless `url` may carry a token: https, or plain http to a loopback host. */
export function assertSecureTransport(url: URL, request: string): void {
  if (!isSecureTransport(url)) insecureTransport(url, request);
}

function insecureTransport(url: URL, request: string): never {
  throw new ApiError(
    `Refusing to send the token over ${url.protocol.replace(":", "")} to a non-loopback host (${request})`,
    { reason: "refused", request },
  );
}
