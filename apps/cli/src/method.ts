/**
 * The request METHOD: an RFC 9110 token, sent exactly as `--dry-run` shows it.
 *
 * Bun's fetch sends only the methods its HTTP parser knows and sends any other (FOO, Query) as
 * GET; the Fetch standard forbids CONNECT, TRACE and TRACK; and the runtime upper-cases the
 * method. So a METHOD is taken only when it will go out as typed (or, for the six methods the
 * Fetch standard itself normalises, as their upper case); anything else is a usage error that
 * says why, never a request with another method. test/request.test.ts checks every method of
 * the list arrives as given at a node:http server.
 */
import { safeToRepeat, usageError } from "./output.ts";

/** RFC 9110 section 5.6.2: `token = 1*tchar`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What Bun's fetch sends as given (its parser's methods, less those the Fetch standard forbids). */
export const SENDABLE_METHODS: readonly string[] = (
  "ACL BIND CHECKOUT COPY DELETE GET HEAD LINK LOCK M-SEARCH MERGE MKACTIVITY MKCALENDAR MKCOL " +
  "MOVE NOTIFY OPTIONS PATCH POST PROPFIND PROPPATCH PURGE PUT QUERY REBIND REPORT SEARCH SOURCE " +
  "SUBSCRIBE UNBIND UNLINK UNLOCK UNSUBSCRIBE"
).split(" ");

/** The methods the Fetch standard upper-cases whatever their case (`post` is sent as POST). */
const NORMALISED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);

/** A method is repeated in a message when it reads as one: a short word in one case. */
const shown = (method: string) =>
  safeToRepeat(method.toLowerCase()) &&
  (method === method.toUpperCase() || method === method.toLowerCase())
    ? ` '${method}'`
    : "";

/** The method to send for the METHOD argument, or a usage error. */
export function requestMethod(method: string): string {
  if (!TOKEN.test(method)) {
    throw usageError(
      "METHOD must be an HTTP method (RFC 9110 token characters), such as GET or POST; e.g. openclaw-auth request GET /echo",
    );
  }
  const upper = method.toUpperCase();
  if (SENDABLE_METHODS.includes(method)) return method;
  if (NORMALISED.has(upper)) return upper;
  if (FORBIDDEN.has(upper)) {
    throw usageError(
      `METHOD${shown(method)} is forbidden by the Fetch standard; it cannot be sent`,
    );
  }
  if (SENDABLE_METHODS.includes(upper)) {
    throw usageError(
      `METHOD${shown(method)} cannot be sent as given (methods are case-sensitive and it would go out as ${upper}); write ${upper}`,
    );
  }
  throw usageError(
    `METHOD${shown(method)} cannot be sent as given: Bun's fetch sends only the methods it knows (it would send this one as GET), so nothing was sent; known: ${SENDABLE_METHODS.join(", ")}`,
  );
}
