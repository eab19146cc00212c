/**
 * Which metadata documents discovery takes a token endpoint from, and what it says when it takes
 * none: an issuer on 127.0.0.1 serving each document at both metadata URLs (RFC 8414, then
 * OpenID discovery), the client credentials going wherever the endpoint it accepts points.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { discoverTokenEndpoint, forgetDiscoveredEndpoints } from "../../src/grants/discovery.ts";
import { AuthNetworkError, AuthSessionError } from "../fixtures/internal-api.ts";
import {
  closedOrigin,
  jsonAnswer,
  type RecordingServer,
  recordingServer,
} from "./recording-server.ts";

let host: RecordingServer | undefined;
afterEach(() => {
  host?.stop();
  forgetDiscoveredEndpoints();
});

const context = () => ({ fetch, signal: new AbortController().signal, timeoutMs: 5_000 });

/** An issuer at `{host}/tenant` whose two metadata URLs both answer `document(issuer)`. */
function issuerServing(document: (issuer: string) => Response) {
  let issuer = "";
  host = recordingServer(() => document(issuer));
  issuer = `${host.url}/tenant`;
  return issuer;
}

const metadataUrls = (issuer: string) => {
  const { origin } = new URL(issuer);
  return [
    `${origin}/.well-known/oauth-authorization-server/tenant`,
    `${origin}/tenant/.well-known/openid-configuration`,
  ];
};

/** The whole message of a discovery that found nothing, each URL having answered `problem`. */
const foundNothing = (issuer: string, status: number, problem: string) => {
  const [rfc8414, openid] = metadataUrls(issuer);
  return `OAuth discovery found no token endpoint for the issuer ${issuer} (HTTP ${status} at ${rfc8414}: ${problem}, HTTP ${status} at ${openid}: ${problem}): a document must be the issuer's own (its "issuer" equal to AUTH_ISSUER) and name an https token_endpoint`;
};

async function refusal(issuer: string) {
  const error = await discoverTokenEndpoint(issuer, context()).then(
    () => {
      throw new Error("discovery accepted the document");
    },
    (e: unknown) => e as AuthSessionError,
  );
  expect(error).toBeInstanceOf(AuthSessionError);
  expect(error.request).toBe(`GET ${issuer}`);
  return error.message;
}

describe("a document discovery uses", () => {
  test("the issuer's own, naming an absolute token endpoint: asked for as JSON at RFC 8414's URL first", async () => {
    const issuer = issuerServing((i) =>
      jsonAnswer(200, { issuer: i, token_endpoint: `${i}/token` }),
    );
    expect(await discoverTokenEndpoint(issuer, context())).toBe(`${issuer}/token`);
    expect(host?.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /.well-known/oauth-authorization-server/tenant",
    ]);
    expect(host?.seen[0]?.headers.get("accept")).toBe("application/json");
  });

  test("an issuer configured with a trailing slash asks the same URLs", async () => {
    const issuer = issuerServing((i) =>
      jsonAnswer(200, { issuer: i, token_endpoint: `${i}/token` }),
    );
    expect(await discoverTokenEndpoint(`${issuer}/`, context())).toBe(`${issuer}/token`);
    expect(host?.seen.map((s) => s.path)).toEqual([
      "/.well-known/oauth-authorization-server/tenant",
    ]);
  });

  test("forgetting what was discovered makes the next request ask the issuer again", async () => {
    const issuer = issuerServing((i) =>
      jsonAnswer(200, { issuer: i, token_endpoint: `${i}/token` }),
    );
    await discoverTokenEndpoint(issuer, context());
    await discoverTokenEndpoint(issuer, context());
    expect(host?.seen).toHaveLength(1);
    forgetDiscoveredEndpoints();
    await discoverTokenEndpoint(issuer, context());
    expect(host?.seen).toHaveLength(2);
  });
});

describe("a document discovery refuses, saying why for each URL", () => {
  test("JSON that is no object (null)", async () => {
    const issuer = issuerServing(() => jsonAnswer(200, null));
    expect(await refusal(issuer)).toBe(foundNothing(issuer, 200, "no JSON metadata"));
  });

  test("an error page", async () => {
    const issuer = issuerServing(() => new Response("<html>not found</html>", { status: 404 }));
    expect(await refusal(issuer)).toBe(foundNothing(issuer, 404, "no JSON metadata"));
  });

  test("another issuer's document", async () => {
    const issuer = issuerServing((i) =>
      jsonAnswer(200, { issuer: `${i}-evil`, token_endpoint: `${i}/token` }),
    );
    expect(await refusal(issuer)).toBe(
      foundNothing(issuer, 200, 'its "issuer" is not AUTH_ISSUER'),
    );
  });

  const noAbsoluteEndpoint: [string, unknown][] = [
    ["no token_endpoint", undefined],
    [
      "a relative token_endpoint (it would resolve against nothing the issuer vouched for)",
      "/token",
    ],
    ["a token_endpoint that is a list holding a URL", ["https://idp.example/token"]],
    ["a token_endpoint that is a number", 443],
  ];
  for (const [name, token_endpoint] of noAbsoluteEndpoint) {
    test(name, async () => {
      const issuer = issuerServing((i) => jsonAnswer(200, { issuer: i, token_endpoint }));
      expect(await refusal(issuer)).toBe(foundNothing(issuer, 200, "no absolute token_endpoint"));
    });
  }

  const brokenEndpoint: [string, string, string][] = [
    [
      "plain http to a host that is not loopback",
      "http://idp.example/token",
      "must use https (plain http is allowed only for loopback hosts)",
    ],
    [
      "credentials in the URL",
      "https://user:pw@idp.example/token",
      "must not contain credentials (user:password@)",
    ],
    ["a fragment", "https://idp.example/token#x", "must not have a fragment"],
  ];
  for (const [name, token_endpoint, rule] of brokenEndpoint) {
    test(`a token_endpoint with ${name}: the rule of AUTH_TOKEN_URL, the URL not quoted`, async () => {
      const issuer = issuerServing((i) => jsonAnswer(200, { issuer: i, token_endpoint }));
      const message = await refusal(issuer);
      expect(message).toBe(foundNothing(issuer, 200, `its token_endpoint ${rule}`));
    });
  }

  test("a failure is not remembered: the next request asks again and uses the document now served", async () => {
    let serving: unknown = null;
    const issuer = issuerServing(() => jsonAnswer(200, serving));
    await refusal(issuer);
    expect(host?.seen).toHaveLength(2);
    serving = { issuer, token_endpoint: `${issuer}/token` };
    expect(await discoverTokenEndpoint(issuer, context())).toBe(`${issuer}/token`);
    expect(host?.seen).toHaveLength(3);
  });
});

test("an issuer that cannot be reached: an AuthNetworkError naming the metadata URL asked", async () => {
  const issuer = `${closedOrigin()}/tenant`;
  const [rfc8414] = metadataUrls(issuer);
  const error = (await discoverTokenEndpoint(issuer, context()).catch(
    (e: unknown) => e,
  )) as AuthNetworkError;
  expect(error).toBeInstanceOf(AuthNetworkError);
  expect(error.code).toBe("AUTH_NETWORK_ERROR");
  expect(error.reason).toBe("network");
  expect(error.request).toBe(`GET ${rfc8414}`);
  expect(error.message).toStartWith("OAuth discovery failed: ");
  expect(error.message).toEndWith(`(GET ${rfc8414})`);
  expect(error.cause).toBeDefined();
});
