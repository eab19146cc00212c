/** Dry run: what would be sent, without touching the network or the cache. */

import type { HeadersInit } from "../platform/platform.ts";
import type { TokenInfo } from "../token/token-manager.ts";
import { ApiResponse } from "./api-response.ts";
import type { ReplayableBody } from "./send-request.ts";

/**
 * The token a dry run uses: recognisable, and refused by any real gateway.
 *
 * @example
 * assert.equal(await getAccessToken({ config, dryRun: true }), DRY_RUN_TOKEN);
 */
export const DRY_RUN_TOKEN = "openclaw-dry-run-token";

function describeBody(body: ReplayableBody): unknown {
  if (body === null) return null;
  if (typeof body === "string") {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof FormData) return `[form data: ${[...body.keys()].join(", ")}]`;
  if (body instanceof Blob) return `[blob: ${body.size} bytes]`;
  return `[binary: ${(body as ArrayBuffer | ArrayBufferView).byteLength} bytes]`;
}

/** A synthetic 200 whose JSON body describes the request, Authorization redacted. */
export function dryRunResponse(
  method: string,
  url: string,
  headers: HeadersInit,
  body: ReplayableBody,
): ApiResponse {
  // Normalised as fetch would send them.
  const href = new URL(url).href;
  const shown: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    shown[name] = name === "authorization" ? "Bearer [redacted]" : value;
  });
  return new ApiResponse({
    status: 200,
    statusText: "OK (dry run)",
    headers: new Headers({ "content-type": "application/json", "x-openclaw-dry-run": "1" }),
    body: JSON.stringify({
      dryRun: true,
      method,
      url: href,
      headers: shown,
      body: describeBody(body),
    }),
    url: href,
    dryRun: true,
  });
}

/** The token info of a dry run: the fake token, said to last 900 s from now. */
export function dryRunTokenInfo(): TokenInfo {
  const expiresIn = 900;
  return {
    accessToken: DRY_RUN_TOKEN,
    expiresIn,
    expiresAt: Date.now() / 1000 + expiresIn,
    source: "memory",
  };
}
