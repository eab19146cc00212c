/**
 * After a failed refresh the still-valid token is served for a while without asking again, but
 * never past its own expiry: an expired token is not "stale", it is gone.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { createTokenManager, getAccessTokenInfo } from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
let gateway: DevGateway;

beforeEach(() => {
  // Tokens of 1 s with minTtlSec 60 are never fresh: every call wants a new one.
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY], ttlSec: 1 });
});
afterEach(async () => {
  await gateway.stop();
});

test("a stale token is served until it expires, then the call fails instead of serving it", async () => {
  const config = testConfig(gateway.url, CLIENT_KEY, { AUTH_MIN_TTL_SEC: "60" });
  const warnings: string[] = [];
  const tokenManager = createTokenManager({
    config,
    store: null,
    retry: { limit: 0 },
    onWarning: (message) => warnings.push(message),
  });
  const first = await getAccessTokenInfo({ tokenManager });
  gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
  const stale = await getAccessTokenInfo({ tokenManager });
  expect(stale.source).toBe("stale");
  expect(stale.accessToken).toBe(first.accessToken);

  // Well inside the 5 s window in which the stale token is served without asking again, but
  // past the token's own expiry.
  await Bun.sleep(Math.max(0, first.expiresAt * 1000 - Date.now()) + 50);
  let served: string | undefined;
  try {
    served = (await getAccessTokenInfo({ tokenManager })).accessToken;
  } catch {
    served = undefined;
  }
  expect(served).toBeUndefined();
  expect(gateway.stats().requests["/auth/session"]).toBe(3);
});
