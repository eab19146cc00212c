/** TokenManager options the conformance suite does not reach: memory-only stores, lock give-up. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import {
  cacheKey,
  createEnvConfig,
  createFileTokenStore,
  createTokenManager,
  type EnvConfig,
  getAccessTokenInfo,
  MemoryTokenStore,
  type TokenStore,
} from "../fixtures/internal-api.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
let gateway: DevGateway;
let root: string;
let config: EnvConfig;

beforeEach(async () => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  root = await mkdtemp(join(tmpdir(), "openclaw-manager-"));
  config = createEnvConfig(
    { AUTH_BASE: gateway.url, CLIENT_KEY, AUTH_CACHE_DIR: join(root, "cache") },
    { envFile: false },
  );
});
afterEach(async () => {
  await gateway.stop();
  await rm(root, { recursive: true, force: true });
});

describe("TokenManager", () => {
  test("store: null keeps tokens in memory only", async () => {
    const tokenManager = createTokenManager({ config, store: null });
    const first = await getAccessTokenInfo({ tokenManager });
    expect(first.source).toBe("network");
    const second = await getAccessTokenInfo({ tokenManager });
    expect(second.source).toBe("memory");
    expect(second.accessToken).toBe(first.accessToken);
    expect(await readdir(root)).toEqual([]);
    expect(tokenManager.store).toBeNull();
  });

  test("a MemoryTokenStore is shared between managers like a cache file", async () => {
    const store = new MemoryTokenStore();
    const first = await getAccessTokenInfo({ tokenManager: createTokenManager({ config, store }) });
    const second = await getAccessTokenInfo({
      tokenManager: createTokenManager({ config, store }),
    });
    expect(second.source).toBe("cache");
    expect(second.accessToken).toBe(first.accessToken);
    expect(gateway.stats().tokensIssued).toBe(1);
  });

  test("the lock winner re-reads the cache: a token written since its first read is used", async () => {
    // B reads the cache (a miss), then A fetches, writes and releases the lock, then B takes
    // the lock at once: without a re-read B would ask the gateway a second time.
    const files = createFileTokenStore(join(root, "cache"));
    let firstRead: () => void = () => {};
    const firstReadDone = new Promise<void>((resolve) => {
      firstRead = resolve;
    });
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let reads = 0;
    const slowFirstRead: TokenStore = {
      get: async (key) => {
        const token = await files.get(key);
        if (reads++ === 0) {
          firstRead();
          await gate;
        }
        return token;
      },
      set: (key, token) => files.set(key, token),
      delete: (key) => files.delete(key),
      tryLock: (key) => files.tryLock(key),
    };
    const b = getAccessTokenInfo({
      tokenManager: createTokenManager({ config, store: slowFirstRead }),
    });
    await firstReadDone;
    const a = await getAccessTokenInfo({ tokenManager: createTokenManager({ config }) });
    openGate();
    const info = await b;
    expect(info.accessToken).toBe(a.accessToken);
    expect(info.source).toBe("cache");
    expect(gateway.stats().tokensIssued).toBe(1);
  });

  test("a lock held too long is given up on, with a warning, and the token is still fetched", async () => {
    await mkdir(join(root, "cache"), { mode: 0o700 });
    // Held by this very (live) process: never stale.
    await writeFile(
      join(root, "cache", `token_${cacheKey(config)}.lock`),
      JSON.stringify({ pid: process.pid, host: "elsewhere", createdAt: Date.now() }),
      { mode: 0o600 },
    );
    const warnings: string[] = [];
    const tokenManager = createTokenManager({
      config,
      lockWait: { giveUpMs: 300 },
      onWarning: (w) => warnings.push(w),
    });
    const start = performance.now();
    const outcomes: string[] = [];
    const info = await getAccessTokenInfo({
      tokenManager,
      onEvent: (event) => {
        if (event.type === "lock.waited") outcomes.push(event.outcome);
      },
    });
    expect(info.source).toBe("network");
    expect(outcomes).toEqual(["gave_up"]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(250);
    expect(warnings.some((w) => w.includes("waited 300 ms for the token lock"))).toBe(true);
  });

  test("a stored token further ahead than maxTtlSec is a miss and is replaced, though the store keeps later-expiring tokens", async () => {
    const store = new MemoryTokenStore();
    const key = cacheKey(config);
    await store.set(key, {
      accessToken: "poisoned",
      expiresAt: Date.now() / 1000 + 1e9,
      expiresIn: 0,
    });
    const info = await getAccessTokenInfo({ tokenManager: createTokenManager({ config, store }) });
    expect(info.source).toBe("network");
    expect(info.accessToken).not.toBe("poisoned");
    expect((await store.get(key))?.accessToken).toBe(info.accessToken);
  });

  test("when the last caller aborts, the lock wait stops polling", async () => {
    let polls = 0;
    const lockedElsewhere: TokenStore = {
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
      tryLock: async () => {
        polls++;
        return undefined;
      },
    };
    const tokenManager = createTokenManager({ config, store: lockedElsewhere });
    const controller = new AbortController();
    const waiting = getAccessTokenInfo({ tokenManager, signal: controller.signal });
    await Bun.sleep(150);
    controller.abort();
    await expect(waiting).rejects.toThrow("aborted");
    await Bun.sleep(100);
    const after = polls;
    await Bun.sleep(600);
    expect(polls).toBe(after);
    expect(gateway.stats().tokensIssued).toBe(0);
  });

  test("a caller without a signal keeps the shared request going when the others abort", async () => {
    let polls = 0;
    const lockedElsewhere: TokenStore = {
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
      tryLock: async () => {
        polls++;
        return undefined;
      },
    };
    const tokenManager = createTokenManager({
      config,
      store: lockedElsewhere,
      lockWait: { giveUpMs: 800 },
      onWarning: () => {},
    });
    const controller = new AbortController();
    const aborted = getAccessTokenInfo({ tokenManager, signal: controller.signal });
    const patient = getAccessTokenInfo({ tokenManager });
    await Bun.sleep(100);
    controller.abort();
    await expect(aborted).rejects.toThrow("aborted");
    const after = polls;
    expect((await patient).source).toBe("network");
    expect(polls).toBeGreaterThan(after);
  });

  test("fetch is injectable: every token request goes through it", async () => {
    const seen: string[] = [];
    const tokenManager = createTokenManager({
      config,
      store: null,
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    await getAccessTokenInfo({ tokenManager });
    expect(seen).toEqual([`POST ${gateway.url}/auth/session`]);
  });
});
