/**
 * What `refresh` and `clear` promise the caller: a refresh in a process that holds no token
 * asks the gateway; a refresh of a token already replaced, here or in the store by another
 * process, serves the replacement without asking; a refresh joining a token request in the air
 * hears its events; the refreshed token is the one kept, even when it expires sooner than the
 * refused one; `clear` forgets the token here and in the store.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { createTokenManager, type EnvConfig, MemoryTokenStore } from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { startTokenServer } from "../fixtures/token-server.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

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

const tokenRequests = () => gateway.stats().requests["/auth/session"] ?? 0;

describe("refresh", () => {
  test("in a process that holds no token, asks the gateway and serves the new token", async () => {
    const tokenManager = createTokenManager({ config, store: null });
    const info = await tokenManager.refresh();
    expect(info.source).toBe("network");
    expect(tokenRequests()).toBe(1);
    expect((await tokenManager.getToken()).accessToken).toBe(info.accessToken);
  });

  test("in a process that holds no token, skips a stored token and asks the gateway", async () => {
    const store = new MemoryTokenStore();
    const stored = await createTokenManager({ config, store }).getToken();
    const fresh = await createTokenManager({ config, store }).refresh();
    expect(fresh.source).toBe("network");
    expect(fresh.accessToken).not.toBe(stored.accessToken);
    expect(tokenRequests()).toBe(2);
  });

  test("of the token held, with no rejectedToken given, replaces it", async () => {
    const tokenManager = createTokenManager({ config, store: null });
    const old = await tokenManager.getToken();
    const fresh = await tokenManager.refresh();
    expect(fresh.source).toBe("network");
    expect(fresh.accessToken).not.toBe(old.accessToken);
    expect((await tokenManager.getToken()).accessToken).toBe(fresh.accessToken);
    expect(tokenRequests()).toBe(2);
  });

  test("of a token already replaced here serves the replacement from memory, without asking", async () => {
    const tokenManager = createTokenManager({ config, store: null });
    const old = await tokenManager.getToken();
    const replacement = await tokenManager.refresh({ rejectedToken: old.accessToken });
    // A second caller that was refused with the old token, late.
    const late = await tokenManager.refresh({ rejectedToken: old.accessToken });
    expect(late.accessToken).toBe(replacement.accessToken);
    expect(late.source).toBe("memory");
    expect(tokenRequests()).toBe(2);
  });

  test("of a refused token that another process already replaced in the store serves the stored token, without asking", async () => {
    const store = new MemoryTokenStore();
    // Two processes sharing a store: both were refused with the old token; the first refreshed.
    const first = createTokenManager({ config, store });
    const second = createTokenManager({ config, store });
    const old = await first.getToken();
    expect((await second.getToken()).source).toBe("cache");
    const replacement = await first.refresh({ rejectedToken: old.accessToken });
    const late = await second.refresh({ rejectedToken: old.accessToken });
    expect(late).toMatchObject({ accessToken: replacement.accessToken, source: "cache" });
    expect(tokenRequests()).toBe(2);
  });

  test("joining a plain token request in the air, the refresh's listener hears that request's events", async () => {
    gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session", count: 1 }]);
    const tokenManager = createTokenManager({
      config,
      store: null,
      retry: { limit: 1, baseDelayMs: 10 },
    });
    const heard: string[] = [];
    const loading = tokenManager.getToken();
    const refreshed = await tokenManager.refresh({ onEvent: (event) => heard.push(event.type) });
    expect(refreshed.accessToken).toBe((await loading).accessToken);
    expect(heard).toContain("token.retry");
    expect(tokenRequests()).toBe(2);
  });

  test("keeps the refreshed token even when it expires sooner than the refused one", async () => {
    // A gateway whose first token lives 900 s and every later one 300 s.
    const server = await startTokenServer((n) => ({
      access_token: `t-${n}`,
      expires_in: n === 1 ? 900 : 300,
    }));
    try {
      const tokenManager = createTokenManager({
        config: testConfig(server.url, CLIENT_KEY),
        store: null,
      });
      expect((await tokenManager.getToken()).accessToken).toBe("t-1");
      expect((await tokenManager.refresh({ rejectedToken: "t-1" })).accessToken).toBe("t-2");
      const next = await tokenManager.getToken();
      expect(next.accessToken).toBe("t-2");
      expect(next.source).toBe("memory");
      expect(server.issued()).toBe(2);
    } finally {
      server.close();
    }
  });
});

describe("memory and the store", () => {
  test("a stored token that outlives the one in memory replaces it there", async () => {
    // A gateway whose tokens live 30 s: never fresh under the default minTtlSec of 60 s.
    const server = await startTokenServer((n) => ({ access_token: `short-${n}`, expires_in: 30 }));
    try {
      const store = new MemoryTokenStore();
      const tokenManager = createTokenManager({
        config: testConfig(server.url, CLIENT_KEY),
        store,
      });
      expect((await tokenManager.getToken()).accessToken).toBe("short-1");
      // Another process stores a token of 15 minutes.
      const later = tokenExpiringIn("long-lived", 900);
      await store.set(tokenManager.key, later);
      const fromStore = await tokenManager.getToken();
      expect(fromStore.accessToken).toBe("long-lived");
      expect(fromStore.source).toBe("cache");
      const next = await tokenManager.getToken();
      expect(next.accessToken).toBe("long-lived");
      expect(next.source).toBe("memory");
      expect(server.issued()).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe("a refresh that meets a plain load in the air", () => {
  test("when the load ends with the refused token, asks the gateway for a new one", async () => {
    const store = new MemoryTokenStore();
    const refused = await createTokenManager({ config, store }).getToken();
    // Another manager on the same store: its load finds the refused token there.
    const other = createTokenManager({ config, store });
    const loading = other.getToken();
    const refreshing = other.refresh({ rejectedToken: refused.accessToken });
    const [loaded, refreshed] = await Promise.all([loading, refreshing]);
    expect(loaded.accessToken).toBe(refused.accessToken);
    expect(refreshed.source).toBe("network");
    expect(refreshed.accessToken).not.toBe(refused.accessToken);
    expect(tokenRequests()).toBe(2);
  });

  test("when the load ends with another token, serves that one without asking", async () => {
    const store = new MemoryTokenStore();
    const stored = await createTokenManager({ config, store }).getToken();
    const other = createTokenManager({ config, store });
    const loading = other.getToken();
    const refreshing = other.refresh({ rejectedToken: "an-older-token" });
    const [loaded, refreshed] = await Promise.all([loading, refreshing]);
    expect(loaded.accessToken).toBe(stored.accessToken);
    expect(refreshed.accessToken).toBe(stored.accessToken);
    expect(refreshed.source).toBe("cache");
    expect(tokenRequests()).toBe(1);
  });
});

describe("clear", () => {
  test("forgets the token in memory and in the store: the next call asks the gateway", async () => {
    const store = new MemoryTokenStore();
    const tokenManager = createTokenManager({ config, store });
    const first = await tokenManager.getToken();
    await tokenManager.clear();
    expect(await store.get(tokenManager.key)).toBeUndefined();
    const next = await tokenManager.getToken();
    expect(next.source).toBe("network");
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(tokenRequests()).toBe(2);
  });

  test("with no store, forgets the token in memory", async () => {
    const tokenManager = createTokenManager({ config, store: null });
    await tokenManager.getToken();
    await tokenManager.clear();
    expect((await tokenManager.getToken()).source).toBe("network");
    expect(tokenRequests()).toBe(2);
  });
});
