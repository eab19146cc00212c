/**
 * Events (docs/events.md): each one provoked for real (dev gateway faults, a refresh failure
 * with a stale token, two processes contending for the lock) and the stream asserted; then a
 * sweep of every event and debug line for any form of the client key or a token.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, it, recordOutput, withFixture } from "../support.ts";
import type { Harness, RuntimeApi } from "../types.ts";

type AuthEvent = Parameters<NonNullable<Parameters<RuntimeApi["subscribe"]>[0]>>[0];

/** Every event and debug line the suite saw, and every token it was given: for the sweep. */
const seenTexts: string[] = [];
const seenTokens = new Set<string>();

/** A listener keeping the events it is told (and recording them for the sweeps). */
function collector(): { events: AuthEvent[]; onEvent: (event: AuthEvent) => void } {
  const events: AuthEvent[] = [];
  return {
    events,
    onEvent: (event) => {
      events.push(event);
      const text = JSON.stringify(event);
      seenTexts.push(text);
      recordOutput(text);
    },
  };
}

/** The events without their timings (which vary), for a value comparison of the stream. */
function shapes(events: readonly AuthEvent[]): Record<string, unknown>[] {
  return events.map((event) => {
    const {
      ms: _ms,
      delayMs: _delayMs,
      ...rest
    } = event as AuthEvent & {
      ms?: number;
      delayMs?: number;
    };
    return rest;
  });
}

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

/** Every form in which an echo could carry `secret`. */
function forms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const b64 = btoa(String.fromCharCode(...bytes));
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    b64,
    b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  ];
}

export function eventsSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("events", () => {
    it(
      h,
      "a cold, a warm and a cached token: token.acquired from network, memory, cache",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { events, onEvent } = collector();
          const first = api.createTokenManager({ config: f.config, onEvent });
          const token = await api.getAccessToken({ tokenManager: first });
          seenTokens.add(token);
          await api.getAccessToken({ tokenManager: first });
          // Another manager over the same cache dir stands for another process.
          const second = api.createTokenManager({ config: f.config, onEvent });
          await api.getAccessToken({ tokenManager: second });
          assert.deepEqual(shapes(events), [
            { type: "token.acquired", source: "network", attempts: 1 },
            { type: "token.acquired", source: "memory", attempts: 0 },
            { type: "token.acquired", source: "cache", attempts: 0 },
          ]);
          for (const event of events) assert.equal(typeof (event as { ms: number }).ms, "number");
        });
      },
    );

    it(h, "two 503s before a token: two token.retry events, then attempts=3", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([
          { kind: "status", status: 503, route: "/auth/session", count: 2 },
        ]);
        const { events, onEvent } = collector();
        const tokenManager = api.createTokenManager({
          config: f.config,
          store: null,
          retry: FAST_RETRY,
        });
        seenTokens.add(await api.getAccessToken({ tokenManager, onEvent }));
        assert.deepEqual(shapes(events), [
          { type: "token.retry", reason: "status", status: 503, attempt: 1 },
          { type: "token.retry", reason: "status", status: 503, attempt: 2 },
          { type: "token.acquired", source: "network", attempts: 3 },
        ]);
      });
    });

    it(h, "a 429 with Retry-After: token.retry waits what the gateway asked", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([
          { kind: "rate-limit", retryAfterSec: 1, route: "/auth/session", count: 1 },
        ]);
        const { events, onEvent } = collector();
        const tokenManager = api.createTokenManager({ config: f.config, store: null, onEvent });
        seenTokens.add(await api.getAccessToken({ tokenManager }));
        assert.deepEqual(events[0], {
          type: "token.retry",
          reason: "status",
          status: 429,
          delayMs: 1000,
          attempt: 1,
        });
        assert.equal(events.length, 2);
      });
    });

    it(h, "a dropped connection: token.retry with reason network", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "drop", route: "/auth/session", count: 1 }]);
        const { events, onEvent } = collector();
        const tokenManager = api.createTokenManager({
          config: f.config,
          store: null,
          retry: FAST_RETRY,
        });
        seenTokens.add((await api.getAccessTokenInfo({ tokenManager, onEvent })).accessToken);
        assert.deepEqual(shapes(events), [
          { type: "token.retry", reason: "network", attempt: 1 },
          { type: "token.acquired", source: "network", attempts: 2 },
        ]);
      });
    });

    it(h, "an attempt that outlives AUTH_TIMEOUT_MS: token.retry with reason timeout", async () => {
      await withFixture(h, {}, async (f) => {
        // The first answer comes after 3 s; the attempt gives up after 300 ms.
        await f.gateway.setFaults([
          { kind: "latency", ms: 3_000, route: "/auth/session", count: 1 },
        ]);
        const { events, onEvent } = collector();
        const tokenManager = api.createTokenManager({
          config: f.configWith({ AUTH_TIMEOUT_MS: "300" }),
          store: null,
          retry: FAST_RETRY,
        });
        seenTokens.add((await api.getAccessTokenInfo({ tokenManager, onEvent })).accessToken);
        assert.deepEqual(shapes(events), [
          { type: "token.retry", reason: "timeout", attempt: 1 },
          { type: "token.acquired", source: "network", attempts: 2 },
        ]);
      });
    });

    it(
      h,
      "a refresh failure with a still-valid token: token.stale_served and a cache.warning that onWarning also gets",
      async () => {
        // Tokens of 30 s with minTtlSec 60 are never fresh: the second call refreshes.
        await withFixture(h, { gateway: { ttlSec: 30 } }, async (f) => {
          const { events, onEvent } = collector();
          const warnings: string[] = [];
          const tokenManager = api.createTokenManager({
            config: f.configWith({ AUTH_MIN_TTL_SEC: "60" }),
            store: null,
            retry: { limit: 0 },
            onEvent,
            onWarning: (message) => {
              warnings.push(message);
              recordOutput(message);
            },
          });
          const token = await api.getAccessToken({ tokenManager });
          seenTokens.add(token);
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
          const info = await api.getAccessTokenInfo({ tokenManager });
          assert.equal(info.source, "stale");
          assert.equal(info.accessToken, token);
          const [acquired, warning, stale, served] = events;
          assert.equal(events.length, 4, JSON.stringify(events));
          assert.equal(acquired?.type, "token.acquired");
          assert.deepEqual(warning, { type: "cache.warning", message: warnings[0] });
          assert.equal(stale?.type, "token.stale_served");
          assert.equal((stale as { error: string }).error, "AUTH_SESSION_ERROR");
          const expiresIn = (stale as { expiresInSec: number }).expiresInSec;
          assert.ok(expiresIn > 0 && expiresIn <= 30, String(expiresIn));
          assert.deepEqual(shapes(served ? [served] : []), [
            { type: "token.acquired", source: "memory", attempts: 1 },
          ]);
          assert.equal(warnings.length, 1);
        });
      },
    );

    it(
      h,
      "a 200 'token expired' body: request.retried_after_auth_failure, then token.refreshed",
      async () => {
        await withFixture(h, {}, async (f) => {
          const { events, onEvent } = collector();
          const tokenManager = api.createTokenManager({ config: f.config, store: null });
          await api.getAccessToken({ tokenManager });
          await f.gateway.setFaults([{ kind: "token-expired-body", route: "/echo", count: 1 }]);
          const response = await api.requestApiWithAutoRefresh({
            tokenManager,
            method: "POST",
            url: "/echo",
            body: { a: 1 },
            onEvent,
          });
          assert.equal(response.status, 200);
          assert.deepEqual(shapes(events), [
            { type: "token.acquired", source: "memory", attempts: 0 },
            { type: "request.retried_after_auth_failure", method: "POST", status: 200 },
            { type: "token.refreshed", attempts: 1 },
          ]);
        });
      },
    );

    it(h, "createAuthFetch passes its onEvent to every request", async () => {
      await withFixture(h, {}, async (f) => {
        const { events, onEvent } = collector();
        const gwFetch = api.createAuthFetch({ config: f.config, onEvent });
        assert.equal((await gwFetch("/echo")).status, 200);
        assert.equal((await gwFetch("/echo")).status, 200);
        assert.deepEqual(
          events.map((e) => [e.type, (e as { source?: string }).source]),
          [
            ["token.acquired", "network"],
            ["token.acquired", "memory"],
          ],
        );
      });
    });

    it(h, "subscribe hears every runtime's events until it unsubscribes", async () => {
      await withFixture(h, {}, async (f) => {
        const { events, onEvent } = collector();
        const unsubscribe = api.subscribe(onEvent);
        try {
          seenTokens.add(await api.getAccessToken({ config: f.config }));
          await api.getAccessToken({ config: f.config });
        } finally {
          unsubscribe();
        }
        await api.getAccessToken({ config: f.config });
        assert.deepEqual(
          events.map((e) => [e.type, (e as { source?: string }).source]),
          [
            ["token.acquired", "network"],
            ["token.acquired", "memory"],
          ],
        );
      });
    });

    it(h, "an unusable cache dir: cache.warning, the same text onWarning gets", async () => {
      await withFixture(h, {}, async (f) => {
        // A file where the cache dir should be.
        const notADir = join(f.root, "not-a-dir");
        await writeFile(notADir, "x");
        const { events, onEvent } = collector();
        const warnings: string[] = [];
        const tokenManager = api.createTokenManager({
          config: f.configWith({ AUTH_CACHE_DIR: notADir }),
          onEvent,
          onWarning: (message) => {
            warnings.push(message);
            recordOutput(message);
          },
        });
        seenTokens.add(await api.getAccessToken({ tokenManager }));
        const cacheWarnings = events.filter((e) => e.type === "cache.warning");
        assert.ok(cacheWarnings.length >= 1, JSON.stringify(events));
        assert.deepEqual(
          cacheWarnings.map((e) => (e as { message: string }).message),
          warnings,
        );
      });
    });

    it(
      h,
      "two processes contend for the lock: AUTH_DEBUG=1 prints lock.waited in the one that waited",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "latency", ms: 1500, route: "/auth/session" }]);
          const runs = await h.runClients(2, ["token"], { ...f.env, AUTH_DEBUG: "1" });
          for (const run of runs) {
            assert.equal(run.code, 0, run.stderr);
            recordOutput(`${run.stdout}\n${run.stderr}`);
            seenTexts.push(run.stderr);
            const line = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as {
              token?: string;
            };
            if (line.token) seenTokens.add(line.token);
          }
          const debug = runs.map((run) =>
            run.stderr.split("\n").filter((l) => l.startsWith("openclaw-auth: ")),
          );
          const network = debug.findIndex((lines) =>
            lines.some((l) =>
              /^openclaw-auth: token\.acquired source=network ms=\d+ attempts=1$/.test(l),
            ),
          );
          assert.ok(network >= 0, JSON.stringify(debug));
          const waiter = debug[1 - network] ?? [];
          assert.ok(
            waiter.some((l) =>
              /^openclaw-auth: lock\.waited ms=\d+ outcome=(token|acquired)$/.test(l),
            ),
            JSON.stringify(debug),
          );
          assert.ok(
            waiter.some((l) =>
              /^openclaw-auth: token\.acquired source=cache ms=\d+ attempts=0$/.test(l),
            ),
            JSON.stringify(debug),
          );
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
        });
      },
      60_000,
    );

    it(h, "no event or debug line of this suite holds any form of the key or a token", () => {
      assert.ok(seenTexts.length > 10 && seenTokens.size > 5, "the suite above ran");
      const secrets = [CLIENT_KEY, ...seenTokens].flatMap(forms);
      const leaks = seenTexts.filter((text) => secrets.some((s) => text.includes(s)));
      assert.deepEqual(leaks, []);
    });
  });
}
