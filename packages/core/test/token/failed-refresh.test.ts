/**
 * A refresh that fails (docs/protocol.md, "Stale but valid"): which still-valid token is served,
 * what the events say, and when the failure is the caller's instead. In one process, against a
 * token endpoint whose answers the test scripts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  type AuthEvent,
  AuthRuntimeError,
  cacheKey,
  createTokenManager,
  type EnvConfig,
  MemoryTokenStore,
} from "../fixtures/internal-api.ts";
import { testConfig } from "../fixtures/test-config.ts";
import { type ScriptedTokenServer, startTokenServer } from "../fixtures/token-server.ts";
import { tokenExpiringIn } from "../fixtures/tokens.ts";

const CLIENT_KEY = "ck-refresh-CANARY-91c2e7";
let server: ScriptedTokenServer | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** The first token lives 30 s; every later answer carries no token (a failed refresh). */
async function setup(): Promise<{ config: EnvConfig; store: MemoryTokenStore; key: string }> {
  server = await startTokenServer((n) =>
    n === 1 ? { access_token: "tok-memory", expires_in: 30 } : { error: "temporarily_down" },
  );
  const config = testConfig(server.url, CLIENT_KEY);
  return { config, store: new MemoryTokenStore(), key: cacheKey(config) };
}

/**
 * A manager holding `tok-memory` (30 s left) in memory, over a store holding `tok-stored` (50 s
 * left): neither fresh (minTtlSec 60), both still valid; its next token request fails.
 */
async function holdingTwoTokens() {
  const { config, store, key } = await setup();
  const manager = createTokenManager({ config, store, retry: { limit: 0 }, onWarning: () => {} });
  expect((await manager.getToken()).accessToken).toBe("tok-memory");
  await store.set(key, tokenExpiringIn("tok-stored", 50));
  return manager;
}

describe("a refresh that fails", () => {
  test("serves the still-valid token that lives longest: here the store's, with token.stale_served", async () => {
    const manager = await holdingTwoTokens();
    const events: AuthEvent[] = [];
    const info = await manager.refresh({
      rejectedToken: "tok-refused",
      onEvent: (event) => events.push(event),
    });
    expect(info.accessToken).toBe("tok-stored");
    expect(info.source).toBe("stale");
    const served = events.find((event) => event.type === "token.stale_served");
    expect(served).toMatchObject({ type: "token.stale_served" });
    expect((served as { expiresInSec: number }).expiresInSec).toBeGreaterThan(40);
    expect((served as { expiresInSec: number }).expiresInSec).toBeLessThanOrEqual(50);
    const acquired = events.find((event) => event.type === "token.acquired");
    expect(acquired).toMatchObject({ source: "cache" });
    const ms = (acquired as { ms: number }).ms;
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(60_000);
  });

  test("never serves the refused token: with the store's refused, memory's is served", async () => {
    const manager = await holdingTwoTokens();
    const events: AuthEvent[] = [];
    const info = await manager.refresh({
      rejectedToken: "tok-stored",
      onEvent: (event) => events.push(event),
    });
    expect(info.accessToken).toBe("tok-memory");
    expect(info.source).toBe("stale");
    expect(events.find((event) => event.type === "token.acquired")).toMatchObject({
      source: "memory",
    });
    expect(server?.issued()).toBe(2);
  });

  test("with no token held, is the caller's error, though the store holds a valid token", async () => {
    const { config, store, key } = await setup();
    // The first answer is spent: every token request from here on fails.
    await createTokenManager({ config, store: null }).getToken();
    await store.set(key, tokenExpiringIn("tok-stored", 50));
    const manager = createTokenManager({ config, store, retry: { limit: 0 }, onWarning: () => {} });
    const error = await manager.refresh().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthRuntimeError);
    expect((error as AuthRuntimeError).code).toBe("AUTH_SESSION_ERROR");
  });

  test("with a listener, a failed token request is the caller's error, not a failure of its reporting", async () => {
    const { config } = await setup();
    // The first answer is spent: every token request from here on fails.
    await createTokenManager({ config, store: null }).getToken();
    const events: AuthEvent[] = [];
    const manager = createTokenManager({ config, store: null, retry: { limit: 0 } });
    const error = await manager.getToken({ onEvent: (event) => events.push(event) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthRuntimeError);
  });
});
