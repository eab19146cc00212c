/**
 * `runtimeOf(fn)` (./adapter) hands a tool the runtime behind the user API it imported, without
 * ./adapter holding any runtime: on Bun, the functions of `.` lead to Bun's platform and to the
 * cache key and file store the functions themselves use.
 */
import { describe, expect, test } from "bun:test";
import { createAuthRuntime, runtimeOf } from "../../src/adapter.ts";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import {
  cacheFilePath,
  createConfig,
  createTokenManager,
  getAccessToken,
} from "../../src/index.ts";

const config = createConfig({
  authBase: "https://gw.example.com",
  clientKey: "ck-runtime-of",
  cacheDir: "/tmp/openclaw-runtime-of",
});

describe("runtimeOf", () => {
  test("the functions of . lead to one runtime, on Bun's platform", () => {
    const runtime = runtimeOf(getAccessToken);
    expect(runtimeOf(createTokenManager)).toBe(runtime);
    expect(runtime.platform).toBe(bunPlatform);
    expect(runtime.getAccessToken).toBe(getAccessToken);
  });

  test("its cache key and file store are the ones cacheFilePath uses", () => {
    const { cacheKey, createFileTokenStore } = runtimeOf(cacheFilePath);
    expect(createFileTokenStore(config.cacheDir).filePath(cacheKey(config))).toBe(
      cacheFilePath(config),
    );
  });

  test("a runtime made with another binding is its own functions' runtime", () => {
    const other = createAuthRuntime({ platform: bunPlatform, env: () => ({}) });
    expect(runtimeOf(other.requestApi)).toBe(other);
    expect(runtimeOf(other.requestApi)).not.toBe(runtimeOf(getAccessToken));
  });

  test("any other function is a TypeError", () => {
    expect(() => runtimeOf(() => "token")).toThrow(TypeError);
  });
});
