/**
 * redactedCause looks at everything reachable from an error before keeping it: a secret anywhere
 * in it, or a part it cannot look into, makes the cause a redacted copy.
 */
import { describe, expect, test } from "bun:test";
import { inspect } from "node:util";
import { redactedCause } from "../../src/errors/errors.ts";

const TOKEN = "tok-WALK-UNIT-9c1d2e";

/** What a user sees of an error: util.inspect with hidden fields, deep. */
const shown = (value: unknown) => inspect(value, { depth: 30, showHidden: true });

describe("redactedCause walks the whole error", () => {
  test("a secret behind a reference cycle is found; a clean error with cycles is kept as it is", () => {
    const error = Object.assign(new Error("Request failed"), { code: "E_CYCLE" });
    const request: Record<string, unknown> = {
      error,
      headers: { authorization: `Bearer ${TOKEN}` },
    };
    Object.assign(error, { request });
    const safe = redactedCause(error, [TOKEN]) as Error & { code?: string };
    expect(safe).not.toBe(error);
    expect(safe.code).toBe("E_CYCLE");
    expect(shown(safe)).not.toContain(TOKEN);

    const clean = new Error("Request failed");
    const headers = new Map([["accept", "application/json"]]);
    Object.assign(clean, {
      request: { error: clean, headers, url: new URL("https://gw.example/") },
    });
    expect(redactedCause(clean, [TOKEN])).toBe(clean);
  });

  test("an AggregateError's copy keeps its errors, each redacted", () => {
    const error = new AggregateError(
      [new Error("first"), new Error(`sent ${TOKEN}`)],
      "both failed",
    );
    const safe = redactedCause(error, [TOKEN]) as Error & { errors: Error[] };
    expect(safe.name).toBe("AggregateError");
    expect(safe.message).toBe("both failed");
    expect(safe.errors.map((each) => each.message)).toEqual(["first", "sent [redacted]"]);
    expect(shown(safe)).not.toContain(TOKEN);
  });

  test("a secret in the bytes of a body, or in a URL's query, is found", () => {
    const bytes = Object.assign(new Error("Request failed"), {
      body: new TextEncoder().encode(`{"clientKey":"${TOKEN}"}`),
    });
    const url = Object.assign(new Error("Request failed"), {
      url: new URL(`https://gw.example/x?token=${TOKEN}`),
    });
    for (const error of [bytes, url]) {
      expect(redactedCause(error, [TOKEN])).not.toBe(error);
    }
  });

  test("what the walk cannot see into is not trusted: a getter, a promise, a throwing proxy", () => {
    const getter = Object.defineProperty(new Error("Request failed"), "config", {
      get: () => ({ token: TOKEN }),
      enumerable: true,
    });
    // util.inspect prints what a promise resolved to.
    const promise = Object.assign(new Error("Request failed"), { body: Promise.resolve(TOKEN) });
    const proxy = Object.assign(new Error("Request failed"), {
      request: new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error("no");
          },
        },
      ),
    });
    for (const error of [getter, promise, proxy]) {
      const safe = redactedCause(error, [TOKEN]) as Error;
      expect(safe).not.toBe(error);
      expect(safe.message).toBe("Request failed");
      expect(shown(safe)).not.toContain(TOKEN);
    }
  });

  test("a cause chain 12 deep with the secret at its end is copied, the copy ending early", () => {
    let error = new Error(`root saw ${TOKEN}`);
    for (let i = 0; i < 12; i++) error = new Error(`layer ${i}`, { cause: error });
    const safe = redactedCause(error, [TOKEN]) as Error;
    expect(safe).not.toBe(error);
    expect(safe.message).toBe("layer 11");
    expect(shown(safe)).not.toContain(TOKEN);
  });
});
