/** `createAuthFetch`: the request path behind a `fetch`-compatible function. */
import type { ApiBody, RedirectMode } from "./api-request.ts";
import type { ApiResponse } from "./api-response.ts";
import type { AuthFetch, AuthFetchOptions, AutoRefreshRequestOptions } from "./options.ts";

/** A fetch over `request` (the runtime's `requestApiWithAutoRefresh`) with `options` applied. */
export function createAuthFetchWith(
  request: (options: AutoRefreshRequestOptions) => Promise<ApiResponse>,
  options: AuthFetchOptions,
): AuthFetch {
  return async (input, init) => {
    const source = input instanceof Request ? input : undefined;
    const url = source ? source.url : input instanceof URL ? input.href : String(input);
    const method = init?.method ?? source?.method ?? "GET";
    // Without a Request or init headers there is nothing to merge (buildHeaders copies anyway).
    let headers: Headers | undefined;
    if (source || init?.headers !== undefined) {
      headers = new Headers(source?.headers);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    }
    const body =
      init?.body !== undefined
        ? (init.body as ApiBody)
        : source?.body
          ? new Uint8Array(await source.arrayBuffer())
          : null;
    const signal = init?.signal ?? source?.signal ?? undefined;
    const redirect = init?.redirect ?? source?.redirect;
    const response = await request({
      ...options,
      method,
      url,
      headers,
      body,
      ...(signal ? { signal } : {}),
      ...(redirect ? { redirect: redirect as RedirectMode } : {}),
    });
    return toFetchResponse(response, method);
  };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toFetchResponse(response: ApiResponse, method: string): Response {
  const body = NULL_BODY_STATUSES.has(response.status) || method === "HEAD" ? null : response.body;
  const out = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(out, "url", { value: response.url });
  return out;
}
