/**
 * The peers of the request path, each set up as its documentation shows it: ky with a
 * `beforeRequest` hook that sets the cached token and an `afterResponse` hook that refreshes it
 * and retries (`ky.retry`) on a refusal, and axios with axios-auth-refresh (`createAuthRefresh`)
 * and a request interceptor that sets the cached token. Each keeps its token in a cache of its
 * own (a variable, the docs' `localStorage`), filled from the gateway's token endpoint with its
 * own client. Runs on Bun and Node.
 */
import axios from "axios";
import { createAuthRefresh } from "axios-auth-refresh";
import ky from "ky";

export interface PeerOptions {
  /** The gateway's base URL. */
  readonly gatewayUrl: string;
  readonly clientKey: string;
}

/** One GET of a URL, answering the whole body as text (as requestApiWithAutoRefresh reads it). */
export type PeerCall = (url: string) => Promise<string>;

/** The gateway's token endpoint and its answer (`POST /auth/session`). */
const SESSION_PATH = "/auth/session";
interface SessionAnswer {
  readonly accessToken: string;
}

/** The statuses that mean "this token was refused": the gateway answers 403 for a revoked one. */
const REFUSED = [401, 403];

/** ky with auth hooks, as ky's readme shows them (`hooks.beforeRequest`, `hooks.afterResponse`). */
export function kyPeer(options: PeerOptions): PeerCall {
  let token: string | undefined;
  const refresh = async () => {
    const answer = await ky
      .post(`${options.gatewayUrl}${SESSION_PATH}`, { json: { clientKey: options.clientKey } })
      .json<SessionAnswer>();
    token = answer.accessToken;
    return token;
  };
  const api = ky.extend({
    hooks: {
      beforeRequest: [
        async ({ request }) => {
          request.headers.set("Authorization", `Bearer ${token ?? (await refresh())}`);
        },
      ],
      afterResponse: [
        async ({ request, response, retryCount }) => {
          if (REFUSED.includes(response.status) && retryCount === 0) {
            const fresh = await refresh();
            const headers = new Headers(request.headers);
            headers.set("Authorization", `Bearer ${fresh}`);
            return ky.retry({
              request: new Request(request, { headers }),
              code: "TOKEN_REFRESHED",
            });
          }
          return undefined;
        },
      ],
    },
  });
  return (url) => api.get(url).text();
}

/**
 * axios with axios-auth-refresh, as its readme shows it: the refresh logic stores the new token
 * and sets it on the failed request, which the plugin then sends again; a request interceptor
 * reads the stored token for every request. `responseType: "text"`, so that axios does the same
 * work as the other variants (it would otherwise parse the JSON).
 */
export function axiosPeer(options: PeerOptions): PeerCall {
  let token: string | undefined;
  const instance = axios.create({ responseType: "text" });
  const refreshAuthLogic = async (failedRequest: {
    response: { config: { headers: Record<string, string> } };
  }) => {
    const answer = await instance.post<SessionAnswer>(
      `${options.gatewayUrl}${SESSION_PATH}`,
      { clientKey: options.clientKey },
      { responseType: "json" },
    );
    token = answer.data.accessToken;
    failedRequest.response.config.headers.Authorization = `Bearer ${token}`;
  };
  createAuthRefresh(instance, refreshAuthLogic, { statusCodes: REFUSED });
  instance.interceptors.request.use((request) => {
    if (token !== undefined) request.headers.Authorization = `Bearer ${token}`;
    return request;
  });
  return async (url) => (await instance.get<string>(url)).data;
}

/** Both peers, by the name their figures are printed under. */
export function createPeers(options: PeerOptions): Record<"ky" | "axios", PeerCall> {
  return { ky: kyPeer(options), axios: axiosPeer(options) };
}
