/**
 * A token store that fails (a custom store whose backend is down) costs the shared cache, never
 * the token: a read that throws is a miss, a write or delete that throws is a warning. And a
 * token the gateway issues already expired is served once and stored nowhere.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  type CachedToken,
  createTokenManager,
  type EnvConfig,
  MemoryTokenStore,
} from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { startTokenServer } from "../fixtures/token-server.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
let gateway: DevGateway;
let config: EnvConfig;
let warnings: string[];

beforeEach(() => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  config = testConfig(gateway.url, CLIENT_KEY);
  warnings = [];
});
afterEach(async () => {
  await gateway.stop();
});

const tokenRequests = () => gateway.stats().requests["/auth/session"] ?? 0;

/** A MemoryTokenStore whose chosen operations throw, as a store whose backend is down would. */
function failingStore(fail: { get?: boolean; set?: boolean; delete?: boolean }) {
  const store = new MemoryTokenStore();
  const down = (what: string) => {
    throw new Error(`backend down (${what})`);
  };
  return {
    writes: [] as CachedToken[],
    async get(key: string) {
      if (fail.get) down("get");
      return store.get(key);
    },
    async set(key: string, token: CachedToken) {
      if (fail.set) down("set");
      this.writes.push(token);
      return store.set(key, token);
    },
    async delete(key: string) {
      if (fail.delete) down("delete");
      return store.delete(key);
    },
  };
}

const manager = (store: ReturnType<typeof failingStore>) =>
  createTokenManager({ config, store, onWarning: (message) => warnings.push(message) });

describe("a token store that fails", () => {
  test("a read that throws is a miss: the token comes from the network, with no warning", async () => {
    const tokenManager = manager(failingStore({ get: true }));
    const info = await tokenManager.getToken();
    expect(info.source).toBe("network");
    expect(tokenRequests()).toBe(1);
    expect((await tokenManager.getToken()).source).toBe("memory");
    expect(warnings).toEqual([]);
  });

  test("a write that throws is a warning; the token is served and kept in memory", async () => {
    const tokenManager = manager(failingStore({ set: true }));
    const info = await tokenManager.getToken();
    expect(info.source).toBe("network");
    expect(warnings).toEqual(["could not write the token cache: backend down (set)"]);
    const again = await tokenManager.getToken();
    expect(again.source).toBe("memory");
    expect(again.accessToken).toBe(info.accessToken);
    expect(tokenRequests()).toBe(1);
  });

  test("a delete that throws during a refresh is a warning; the new token is served", async () => {
    const store = failingStore({ delete: true });
    const tokenManager = manager(store);
    const old = await tokenManager.getToken();
    const fresh = await tokenManager.refresh({ rejectedToken: old.accessToken });
    expect(fresh.source).toBe("network");
    expect(fresh.accessToken).not.toBe(old.accessToken);
    expect(warnings).toEqual(["could not write the token cache: backend down (delete)"]);
    expect(store.writes.map((t) => t.accessToken)).toEqual([old.accessToken, fresh.accessToken]);
  });
});

describe("a token issued already expired", () => {
  test("is served to the call that asked, once, with a warning, and stored nowhere", async () => {
    // A gateway that answers every token request with a token of no lifetime left.
    const server = await startTokenServer((n) => ({ access_token: `expired-${n}`, expires_in: 0 }));
    try {
      config = testConfig(server.url, CLIENT_KEY);
      const store = failingStore({});
      const tokenManager = manager(store);
      const first = await tokenManager.getToken();
      expect(first.source).toBe("network");
      expect(first.accessToken).toBe("expired-1");
      expect(store.writes).toEqual([]);
      expect(warnings).toEqual([
        "the gateway issued a token that had already expired; it is used once and not cached",
      ]);
      const second = await tokenManager.getToken();
      expect(second.accessToken).toBe("expired-2");
      expect(server.issued()).toBe(2);
    } finally {
      server.close();
    }
  });
});
