/** Where a token may be sent: the AUTH_BASE origin, allowed origins, and https (or loopback http). */
import type { EnvConfig } from "./config.ts";
import { ApiError } from "./errors.ts";

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"]);

/** True for localhost, 127.0.0.0/8 and ::1: the only hosts plain http may carry a token to. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    LOOPBACK_HOSTS.has(hostname) ||
    /^127(\.\d{1,3}){3}$/.test(hostname) ||
    hostname.endsWith(".localhost")
  );
}

/** `METHOD url` without the query string, for error messages (queries may carry secrets). */
export function describeRequest(method: string, url: URL | string): string {
  const text = String(url);
  const cut = text.search(/[?#]/);
  return `${method} ${cut === -1 ? text : text.slice(0, cut)}`;
}

/** AUTH_BASE origins already parsed: parsing the base again on every request is measurable. */
const baseOrigins = new Map<string, string>();
const MAX_BASE_ORIGINS = 64;

function originOf(authBase: string): string {
  let origin = baseOrigins.get(authBase);
  if (origin === undefined) {
    origin = new URL(authBase).origin;
    if (baseOrigins.size >= MAX_BASE_ORIGINS) baseOrigins.clear();
    baseOrigins.set(authBase, origin);
  }
  return origin;
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
  const isPath = text.charCodeAt(0) === 47 && text.charCodeAt(1) !== 47;
  const isAbsolute = !isPath && (/^[a-z][a-z\d+.-]*:/i.test(text) || text.startsWith("//"));
  let resolved: URL;
  try {
    resolved = isAbsolute
      ? new URL(text)
      : new URL(`${config.authBase}${text.startsWith("/") ? "" : "/"}${text}`);
  } catch (error) {
    throw new ApiError(`Invalid request URL: ${describeRequest(method, text)}`, {
      cause: error,
      request: describeRequest(method, text),
    });
  }
  // The description (a string scan) is built only for an error message.
  const origin = resolved.origin;
  if (origin !== originOf(config.authBase) && !config.allowedOrigins.includes(origin)) {
    const request = describeRequest(method, resolved);
    throw new ApiError(
      `Refusing to send the token to ${resolved.origin}: not the AUTH_BASE origin and not in AUTH_ALLOWED_ORIGINS (${request})`,
      { request },
    );
  }
  if (!isSecureTransport(resolved)) insecureTransport(resolved, describeRequest(method, resolved));
  return resolved;
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
    {
      request,
    },
  );
}
