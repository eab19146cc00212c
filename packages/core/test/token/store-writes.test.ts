/**
 * What a token request does to the shared store: a new token is written over the old one, so
 * that another process never finds the store empty meanwhile; only a refused token and one
 * beyond maxTtlSec are deleted first (the store keeps the later-expiring token otherwise).
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  cacheKey,
  createTokenManager,
  type EnvConfig,
  MemoryTokenStore,
  type TokenStore,
} from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { type ScriptedTokenServer, startTokenServer } from "../fixtures/token-server.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const CLIENT_KEY = "ck-store-writes-CANARY-4e07a2";
let server: ScriptedTokenServer | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** A gateway issuing `tok-<n>` for `lifetimeSec`, and a config with minTtlSec 60. */
async function gatewayIssuing(lifetimeSec: number): Promise<EnvConfig> {
  server = await startTokenServer((n) => ({ access_token: `tok-${n}`, expires_in: lifetimeSec }));
  return testConfig(server.url, CLIENT_KEY, { AUTH_MIN_TTL_SEC: "60", AUTH_MAX_TTL_SEC: "3600" });
}

/** A memory store that logs its writes and deletes. */
function loggingStore() {
  const inner = new MemoryTokenStore();
  const writes: string[] = [];
  const store: TokenStore = {
    get: (key) => inner.get(key),
    set: (key, token) => {
      writes.push(`set ${token.accessToken}`);
      return inner.set(key, token);
    },
    delete: (key) => {
      writes.push("delete");
      return inner.delete(key);
    },
  };
  return { store, inner, writes };
}

describe("a token request's writes to the store", () => {
  test("a stored token too close to its expiry is written over, not deleted first", async () => {
    const config = await gatewayIssuing(900);
    const { store, inner, writes } = loggingStore();
    await inner.set(cacheKey(config), tokenExpiringIn("tok-nearly-expired", 30));
    const manager = createTokenManager({ config, store, onWarning: () => {} });
    expect((await manager.getToken()).accessToken).toBe("tok-1");
    expect(writes).toEqual(["set tok-1"]);
  });

  test("a refresh deletes the refused token first: it may claim to live longer than the new one", async () => {
    const config = await gatewayIssuing(900);
    const { store, inner, writes } = loggingStore();
    await inner.set(cacheKey(config), tokenExpiringIn("tok-refused", 3_000));
    const manager = createTokenManager({ config, store, onWarning: () => {} });
    const info = await manager.refresh({ rejectedToken: "tok-refused" });
    expect(info.accessToken).toBe("tok-1");
    expect(writes).toEqual(["delete", "set tok-1"]);
    expect((await inner.get(cacheKey(config)))?.accessToken).toBe("tok-1");
  });

  test("a token beyond maxTtlSec is deleted once; the loads after it write over what they find", async () => {
    // 30 s tokens are never fresh (minTtlSec 60): every call makes a token request.
    const config = await gatewayIssuing(30);
    const { store, inner, writes } = loggingStore();
    await inner.set(cacheKey(config), tokenExpiringIn("tok-poisoned", 10 * 3_600));
    const manager = createTokenManager({ config, store, onWarning: () => {} });
    expect((await manager.getToken()).accessToken).toBe("tok-1");
    expect((await manager.getToken()).accessToken).toBe("tok-2");
    expect((await manager.getToken()).accessToken).toBe("tok-3");
    expect(writes).toEqual(["delete", "set tok-1", "set tok-2", "set tok-3"]);
  });
});
