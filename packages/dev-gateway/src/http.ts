/** Small HTTP helpers: JSON responses, body parsing, and a response that is no response at all. */

/** A JSON response with `status`. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * A "response" that makes Bun reset the connection before sending a single byte, so that the
 * client's fetch rejects with a network error instead of resolving with a status.
 *
 * Bun aborts the socket when a response body stream errors before its first chunk. The error reason
 * is left `undefined` on purpose: Bun prints any other reason to stderr as an uncaught error.
 */
export function dropConnection(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error();
      },
    }),
  );
}

/** The request body parsed as a JSON object, or `null` when it is not one. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown> | null> {
  let value: unknown;
  try {
    value = JSON.parse(await request.text());
  } catch {
    return null;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** 405 with the `Allow` header listing what the route accepts. */
export function methodNotAllowed(request: Request, allow: readonly string[]): Response {
  return json(
    405,
    { error: "method_not_allowed", message: `${request.method} is not allowed here` },
    { allow: allow.join(", ") },
  );
}
