/**
 * How an error names a request, in a module of its own: a lock wait's error names the token
 * request it waits for, and a waiter loads none of the request code (origin-policy.ts and up).
 */

/** `METHOD url` without the query string, for error messages (queries may carry secrets). */
export function describeRequest(method: string, url: URL | string): string {
  const text = String(url);
  const cut = text.search(/[?#]/);
  return `${method} ${cut === -1 ? text : text.slice(0, cut)}`;
}
