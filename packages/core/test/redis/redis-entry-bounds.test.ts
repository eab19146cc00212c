/**
 * What a Redis reply may be taken as (docs/cache.md's cache-file rules applied to Redis values),
 * which failures count as an outage, and what an outage tells the user. No server: these are
 * the rules alone, as any client's replies and errors reach them.
 */
import { describe, expect, test } from "bun:test";
import { MAX_CACHE_FILE_BYTES } from "../../src/cache/cache-file.ts";
import { boundedText, entryFromScript, NO_ENTRY, replyText } from "../../src/stores/redis-entry.ts";
import { isReplyError, RedisGuard, RedisUnavailableError } from "../../src/stores/redis-guard.ts";
import { describeRedisUrl } from "../../src/stores/redis-token-store.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("a Redis reply as an entry's text", () => {
  test("a string or bytes (clients differ) are the same text; a number, null or array is none", () => {
    expect(replyText("abc")).toBe("abc");
    expect(replyText(bytes("caf\u00e9"))).toBe("caf\u00e9");
    for (const other of [42, null, undefined, ["abc"], { text: "abc" }]) {
      expect(replyText(other)).toBeUndefined();
    }
  });

  test("at most 64 KiB, counted in bytes as the server counts them, from a string or from bytes", () => {
    const max = "x".repeat(MAX_CACHE_FILE_BYTES);
    expect(boundedText(max)).toBe(max);
    expect(boundedText(`${max}x`)).toBeUndefined();
    expect(boundedText(bytes(max))).toBe(max);
    expect(boundedText(bytes(`${max}x`))).toBeUndefined();
    // 2 bytes a character: half as many characters fill the bound.
    const wide = "\u00e9".repeat(MAX_CACHE_FILE_BYTES / 2);
    expect(boundedText(wide)).toBe(wide);
    expect(boundedText(`${wide}x`)).toBeUndefined();
    expect(boundedText(42)).toBeUndefined();
  });

  test("a read script's reply is an entry only with both its fingerprint and a bounded value", () => {
    expect(entryFromScript(["f00d", '{"a":1}'])).toEqual({ text: '{"a":1}', seen: "f00d" });
    expect(entryFromScript([bytes("f00d"), bytes("v")])).toEqual({ text: "v", seen: "f00d" });
    expect(entryFromScript([42, '{"a":1}'])).toBe(NO_ENTRY);
    expect(entryFromScript(["f00d", 42])).toBe(NO_ENTRY);
    expect(entryFromScript(["f00d", "x".repeat(MAX_CACHE_FILE_BYTES + 1)])).toBe(NO_ENTRY);
    expect(entryFromScript(null)).toBe(NO_ENTRY);
  });
});

describe("which failures are the server's answer, not an outage", () => {
  test("a reply starting ERR, NOPERM, NOSCRIPT or WRONGTYPE is an answer", () => {
    for (const reply of ["ERR x", "NOPERM no", "NOSCRIPT gone", "WRONGTYPE hash"]) {
      expect(isReplyError(new Error(reply))).toBe(true);
    }
  });

  test("anything else is an outage: other replies, a word merely containing ERR, non-errors", () => {
    for (const error of [
      new Error("LOADING Redis is loading"),
      new Error("Connection closed (ERR from the socket layer)"),
      new Error("ERRORS everywhere"),
      { message: { toString: () => "ERR forged" } },
      null,
      undefined,
      "ERR a bare string",
    ]) {
      expect(isReplyError(error)).toBe(false);
    }
  });
});

describe("RedisGuard: an outage costs one bounded wait and one warning", () => {
  const guard = (warnings: string[], options: { coolDownMs?: number; onFailure?: () => void }) =>
    new RedisGuard({
      timeoutMs: 5_000,
      coolDownMs: options.coolDownMs ?? 10_000,
      label: "redis://10.0.0.5:6379",
      warn: (message) => warnings.push(message),
      onFailure: options.onFailure,
    });

  test("the warning says when Redis is tried again, in whole seconds rounded up", async () => {
    const warnings: string[] = [];
    const g = guard(warnings, { coolDownMs: 1_500 });
    await g.run(() => Promise.reject(new Error("Connection closed"))).catch(() => {});
    expect(warnings).toEqual([
      "fleet cache redis://10.0.0.5:6379 unavailable (Connection closed); using the local caches, trying Redis again in 2 s",
    ]);
  });

  test("the error is a RedisUnavailableError naming the server, with the client's error as its cause", async () => {
    const cause = new Error("Connection closed");
    const error = await guard([], {})
      .run(() => Promise.reject(cause))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toBe("redis://10.0.0.5:6379: Connection closed");
    expect((error as Error).cause).toBe(cause);
  });

  test("a client that rejects with null or nothing is still an outage, told as such", async () => {
    for (const odd of [null, undefined]) {
      const error = await guard([], {})
        .run(() => Promise.reject(odd))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toBe(`redis://10.0.0.5:6379: ${String(odd)}`);
    }
  });

  test("each failure drops the connection (onFailure); without onFailure a failure is still an outage", async () => {
    let dropped = 0;
    const g = guard([], { coolDownMs: 0, onFailure: () => dropped++ });
    await g.run(() => Promise.reject(new Error("a"))).catch(() => {});
    await g.run(() => Promise.reject(new Error("b"))).catch(() => {});
    expect(dropped).toBe(2);
    const error = await guard([], {})
      .run(() => Promise.reject(new Error("c")))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
  });

  test("with no cool-down, the very next call goes to Redis again", async () => {
    const g = guard([], { coolDownMs: 0 });
    let calls = 0;
    for (let i = 0; i < 20; i++) {
      const error = await g
        .run(() => {
          calls++;
          return Promise.reject(new Error("down"));
        })
        .catch((e: unknown) => e as Error);
      expect(error.message).not.toContain("cooling down");
    }
    expect(calls).toBe(20);
  });
});

describe("describeRedisUrl: the server named in messages, never its password", () => {
  test("scheme, host, port (6379 when unsaid) and database; no user or password", () => {
    expect(describeRedisUrl("redis://user:pw-SECRET@10.0.0.5:6380/2")).toBe(
      "redis://10.0.0.5:6380/2",
    );
    expect(describeRedisUrl("rediss://:pw-SECRET@cache.internal")).toBe(
      "rediss://cache.internal:6379",
    );
    expect(describeRedisUrl("redis://cache.internal:7000/")).toBe("redis://cache.internal:7000");
  });

  test("what is no URL is named just Redis (it may be a password pasted in the wrong place)", () => {
    expect(describeRedisUrl("pw-SECRET-not-a-url")).toBe("Redis");
  });
});
