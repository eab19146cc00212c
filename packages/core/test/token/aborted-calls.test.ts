/**
 * A caller that has given up: an already-aborted signal fails a token call at once, saying which
 * call was aborted, and sends no token request.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  createTokenManager,
  type EnvConfig,
  getAccessTokenInfo,
} from "../fixtures/internal-api.ts";
import { networkErrorOf } from "../fixtures/rejection.ts";
import { testConfig } from "../fixtures/test-config.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
let gateway: DevGateway;
let config: EnvConfig;

beforeEach(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  config = testConfig(gateway.url, CLIENT_KEY);
});
afterEach(async () => {
  await gateway.stop();
});

describe("an already-aborted signal", () => {
  test("fails getToken with 'Getting a token was aborted' and no token request", async () => {
    const manager = createTokenManager({ config, store: null });
    const error = await networkErrorOf(manager.getToken({ signal: AbortSignal.abort() }));
    expect(error.message).toBe("Getting a token was aborted");
    expect(error.reason).toBe("aborted");
    expect(error.request).toBe(`POST ${gateway.url}/auth/session`);
    expect(gateway.stats().requests["/auth/session"] ?? 0).toBe(0);
  });

  test("fails refresh with 'Refreshing the token was aborted' and no token request", async () => {
    const manager = createTokenManager({ config, store: null });
    const first = await getAccessTokenInfo({ tokenManager: manager });
    const error = await networkErrorOf(
      manager.refresh({ rejectedToken: first.accessToken, signal: AbortSignal.abort() }),
    );
    expect(error.message).toBe("Refreshing the token was aborted");
    expect(error.reason).toBe("aborted");
    expect(gateway.stats().requests["/auth/session"]).toBe(1);
  });

  test("does not stop a fresh token in memory from being served", async () => {
    const manager = createTokenManager({ config, store: null });
    const first = await getAccessTokenInfo({ tokenManager: manager });
    const again = await manager.getToken({ signal: AbortSignal.abort() });
    expect(again.accessToken).toBe(first.accessToken);
    expect(again.source).toBe("memory");
  });
});
