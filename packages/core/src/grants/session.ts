/** The seed's session grant: `POST {authBase}{sessionPath}` with `{"clientKey": "<key>"}` as JSON. */
import type { EnvConfig } from "../config/config.ts";
import type { TokenGrant } from "./grant.ts";

const MALFORMED = "the token is not 1..16384 visible ASCII characters without spaces";

/** The session grant of `config` (the default grant, unchanged since the seed). */
export function sessionGrant(
  config: Pick<EnvConfig, "authBase" | "sessionPath" | "clientKey">,
): TokenGrant {
  const url = `${config.authBase}${config.sessionPath}`;
  const body = JSON.stringify({ clientKey: config.clientKey });
  return {
    what: "Auth session request",
    carries: "the client key was",
    secrets: [config.clientKey],
    endpoint: () => Promise.resolve(url),
    prepare: () =>
      Promise.resolve({
        headers: { "content-type": "application/json", accept: "application/json" },
        body,
      }),
    async readSuccess(json, nowSec, maxTtlSec) {
      // zod is loaded for the answer, not with the runtime: a warm process never needs it.
      const { readTokenResponse } = await import("./token-response.ts");
      const result = readTokenResponse(json, nowSec, maxTtlSec);
      if ("token" in result) return result.token;
      return { problem: result.problem === "malformed" ? MALFORMED : "" };
    },
    readFailure: () => Promise.resolve(undefined),
  };
}
