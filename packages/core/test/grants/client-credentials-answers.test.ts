/**
 * client_credentials against a scripted token endpoint on 127.0.0.1: the headers it sends, what
 * a 2xx answer without a usable token says, and a short secret echoed inside its Basic
 * credentials. (wire.test.ts holds the form and the three client authentications.)
 */
import { afterEach, describe, expect, test } from "bun:test";
import { clientCredentialsGrant } from "../../src/grants/client-credentials.ts";
import { requestAccessToken } from "../../src/grants/token-request.ts";
import {
  AuthSessionError,
  type ConfigOptions,
  createConfig,
  DEFAULT_RETRY_POLICY,
} from "../fixtures/internal-api.ts";
import { jsonAnswer, type RecordingServer, recordingServer } from "./recording-server.ts";

const SECRET = "cc-answers-CANARY-0123456789";

let endpoint: RecordingServer | undefined;
afterEach(() => endpoint?.stop());

function ask(base: string, options: Partial<ConfigOptions> = {}) {
  return requestAccessToken({
    config: createConfig({
      authBase: base,
      clientKey: SECRET,
      grant: "client_credentials",
      clientId: "svc-answers",
      tokenUrl: "/oauth/token",
      ...options,
    }),
    retry: { ...DEFAULT_RETRY_POLICY, limit: 0 },
    fetch: (input, init) => fetch(input, init),
    signal: new AbortController().signal,
  });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the token request succeeded");
    },
    (error: unknown) => error as AuthSessionError,
  );

test("the token request is a form that asks for JSON", async () => {
  endpoint = recordingServer(() =>
    jsonAnswer(200, { access_token: "tok-cc", token_type: "Bearer", expires_in: 60 }),
  );
  expect((await ask(endpoint.url)).accessToken).toBe("tok-cc");
  expect(endpoint.seen[0]?.headers.get("accept")).toBe("application/json");
  expect(endpoint.seen[0]?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
});

describe("a 2xx answer without a usable token", () => {
  test("a malformed access_token: the rule, the body not quoted (it may be a real token with a stray byte)", async () => {
    endpoint = recordingServer(() =>
      jsonAnswer(200, { access_token: "real token", token_type: "Bearer", expires_in: 60 }),
    );
    const error = await failure(ask(endpoint.url));
    expect(error).toBeInstanceOf(AuthSessionError);
    expect(error.message).toBe(
      `Missing accessToken in the OAuth token response (HTTP 200, POST ${endpoint.url}/oauth/token): the access_token is not 1..16384 visible ASCII characters without spaces`,
    );
  });

  test("no access_token at all: the body is quoted, the secret redacted", async () => {
    endpoint = recordingServer(() => jsonAnswer(200, { note: `nothing for ${SECRET}` }));
    const error = await failure(ask(endpoint.url));
    expect(error.message).toBe(
      `Missing accessToken in the OAuth token response (HTTP 200, POST ${endpoint.url}/oauth/token): {"note":"nothing for [redacted]"}`,
    );
  });
});

test("a short secret (too short to be found inside base64 on its own) echoed as the Basic credentials is redacted whole", async () => {
  let credentials = "";
  endpoint = recordingServer((seen) => {
    credentials = (seen.headers.get("authorization") ?? "").slice("Basic ".length);
    return jsonAnswer(401, { error: "invalid_client", error_description: `got ${credentials}` });
  });
  const error = await failure(ask(endpoint.url, { clientKey: "pw12" }));
  expect(atob(credentials)).toBe("svc-answers:pw12");
  expect(error.oauthError).toBe("invalid_client");
  expect(error.message).toBe(
    `OAuth token request failed (HTTP 401, POST ${endpoint.url}/oauth/token): invalid_client: got [redacted]`,
  );
});

test("a grant built without a client id (a partial config; createConfig requires one) sends an empty client_id, never an invented one", async () => {
  const grant = clientCredentialsGrant({
    authBase: "https://api.example",
    clientKey: SECRET,
    tokenUrl: "/oauth/token",
    issuer: undefined,
    clientId: undefined,
    clientAuth: "client_secret_post",
    scope: undefined,
    audience: undefined,
    resource: undefined,
  });
  const { body } = await grant.prepare("https://api.example/oauth/token");
  expect(new URLSearchParams(body).get("client_id")).toBe("");
});
