/**
 * API retries: an API call meeting 408/429/5xx or a dropped connection is sent again when its
 * method is idempotent (or the caller asks), after the server's `Retry-After` up to a bound or
 * the backoff; each retry is a `request.retry` event; an abort ends the wait at once.
 */
import assert from "node:assert/strict";
import { caught, it, recordOutput, requestsTo, timed, withFixture } from "../support.ts";
import type { Harness, RuntimeApi } from "../types.ts";

type AuthEvent = Parameters<NonNullable<Parameters<RuntimeApi["subscribe"]>[0]>>[0];

/** Retries without the backoff's waits: these tests are about what is retried, not when. */
const FAST = { baseDelayMs: 1, maxDelayMs: 5 };

function collector(): { events: AuthEvent[]; onEvent: (event: AuthEvent) => void } {
  const events: AuthEvent[] = [];
  return {
    events,
    onEvent: (event) => {
      events.push(event);
      recordOutput(JSON.stringify(event));
    },
  };
}

/** The `request.retry` events, without their delays (which vary). */
function retries(events: readonly AuthEvent[]): Record<string, unknown>[] {
  return events
    .filter((event) => event.type === "request.retry")
    .map((event) => {
      const { delayMs: _delayMs, ...rest } = event as AuthEvent & { delayMs: number };
      return rest;
    });
}

export function apiRetriesSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("API retries", () => {
    it(
      h,
      "a GET that meets 503 twice is sent again and succeeds, each retry an event",
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/echo", count: 2 }]);
          const { events, onEvent } = collector();
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            url: "/echo",
            retry: FAST,
            onEvent,
          });
          assert.equal(response.status, 200);
          assert.equal(await requestsTo(f.gateway, "/echo"), 3);
          assert.deepEqual(retries(events), [
            { type: "request.retry", method: "GET", reason: "status", status: 503, attempt: 1 },
            { type: "request.retry", method: "GET", reason: "status", status: 503, attempt: 2 },
          ]);
        });
      },
    );

    it(
      h,
      "a 429's Retry-After is waited for; one longer than the bound is returned as it is",
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([
            { kind: "rate-limit", retryAfterSec: 60, route: "/echo", count: 1 },
          ]);
          const { events, onEvent } = collector();
          const refused = await timed(() =>
            api.requestApiWithAutoRefresh({ config: f.config, url: "/echo", onEvent }),
          );
          assert.equal(refused.value.status, 429);
          assert.equal(refused.value.headers.get("retry-after"), "60");
          assert.ok(refused.ms < 5000, `returned after ${refused.ms} ms`);
          assert.deepEqual(retries(events), []);

          await f.gateway.setFaults([
            { kind: "rate-limit", retryAfterSec: 1, route: "/echo", count: 1 },
          ]);
          const waited = await timed(() =>
            api.requestApiWithAutoRefresh({ config: f.config, url: "/echo", onEvent }),
          );
          assert.equal(waited.value.status, 200);
          assert.ok(waited.ms >= 900, `the Retry-After of 1 s was waited (${waited.ms} ms)`);
          const retry = events.find((event) => event.type === "request.retry");
          assert.deepEqual(retry, {
            type: "request.retry",
            method: "GET",
            reason: "status",
            status: 429,
            delayMs: 1000,
            attempt: 1,
          });
        });
      },
    );

    it(h, "requestApi sends a GET again after its connections were dropped", async () => {
      await withFixture(h, {}, async (f) => {
        const authToken = await api.getAccessToken({ config: f.config });
        // Three: Bun's fetch itself resends once when a reused keep-alive connection drops.
        await f.gateway.setFaults([{ kind: "drop", route: "/echo", count: 3 }]);
        const { events, onEvent } = collector();
        const response = await api.requestApi({
          config: f.config,
          authToken,
          url: "/echo",
          retry: { ...FAST, limit: 4 },
          onEvent,
        });
        assert.equal(response.status, 200);
        const seen = retries(events);
        assert.ok(seen.length >= 1, "retried at least once");
        assert.deepEqual(
          seen,
          seen.map((_, i) => ({
            type: "request.retry",
            method: "GET",
            reason: "network",
            attempt: i + 1,
          })),
        );
      });
    });

    it(
      h,
      "a POST is not retried unless retry.methods names it; then it resends the same body",
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/echo", count: 1 }]);
          const body = { order: 42 };
          const once = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            body,
          });
          assert.equal(once.status, 503);
          assert.equal(await requestsTo(f.gateway, "/echo"), 1);

          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/echo", count: 1 }]);
          const retried = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            body,
            retry: { ...FAST, methods: ["POST"] },
          });
          assert.equal(retried.status, 200);
          assert.equal(retried.json<{ body: string }>().body, '{"order":42}');
          // At least: Bun's fetch may resend once on a reused connection.
          assert.ok((await requestsTo(f.gateway, "/echo")) >= 3);
        });
      },
    );

    it(h, "createAuthFetch retries a GET meeting 502; retry: 0 turns that off", async () => {
      await withFixture(h, {}, async (f) => {
        await f.gateway.setFaults([{ kind: "status", status: 502, route: "/echo", count: 1 }]);
        const retrying = api.createAuthFetch({ config: f.config, retry: FAST });
        assert.equal((await retrying("/echo")).status, 200);
        assert.equal(await requestsTo(f.gateway, "/echo"), 2);

        await f.gateway.setFaults([{ kind: "status", status: 502, route: "/echo", count: 1 }]);
        const once = api.createAuthFetch({ config: f.config, retry: 0 });
        assert.equal((await once("/echo")).status, 502);
        assert.equal(await requestsTo(f.gateway, "/echo"), 3);
      });
    });

    it(h, "the last answer is returned when the retries run out", async () => {
      await withFixture(h, {}, async (f) => {
        await api.getAccessToken({ config: f.config });
        await f.gateway.setFaults([{ kind: "status", status: 500, route: "/echo" }]);
        const response = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "DELETE",
          url: "/echo",
          retry: { ...FAST, limit: 3 },
        });
        assert.equal(response.status, 500);
        assert.equal(await requestsTo(f.gateway, "/echo"), 4);
      });
    });

    it(
      h,
      "dropped connections past the limit fail with an ApiError saying how many attempts",
      async () => {
        await withFixture(h, {}, async (f) => {
          const authToken = await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([{ kind: "drop", route: "/echo" }]);
          const error = await caught(
            api.requestApi({ config: f.config, authToken, url: "/echo", retry: FAST }),
          );
          assert.ok(api.isAuthRuntimeError(error) && error.code === "API_ERROR");
          assert.equal(error.reason, "network");
          assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/echo, 3 attempts\)$/);
          // At least: Bun's fetch may resend once on a reused connection.
          assert.ok((await requestsTo(f.gateway, "/echo")) >= 3);
        });
      },
    );

    it(h, "an abort during a Retry-After wait ends the call at once", async () => {
      await withFixture(h, {}, async (f) => {
        await api.getAccessToken({ config: f.config });
        await f.gateway.setFaults([
          { kind: "rate-limit", retryAfterSec: 20, route: "/echo", count: 1 },
        ]);
        const controller = new AbortController();
        const { events, onEvent } = collector();
        const call = api.requestApiWithAutoRefresh({
          config: f.config,
          url: "/echo",
          signal: controller.signal,
          onEvent: (event) => {
            onEvent(event);
            if (event.type === "request.retry") setTimeout(() => controller.abort(), 50);
          },
        });
        const { ms, value: error } = await timed(() => caught(call));
        assert.ok(api.isAuthRuntimeError(error) && error.code === "API_ERROR");
        assert.equal(error.reason, "aborted");
        assert.ok(ms < 5000, `ended after ${ms} ms`);
        assert.equal(retries(events).length, 1);
        assert.equal(await requestsTo(f.gateway, "/echo"), 1);
      });
    });

    it(
      h,
      "the refresh after an auth failure still happens once, and its resend is retried",
      async () => {
        await withFixture(h, {}, async (f) => {
          await api.getAccessToken({ config: f.config });
          await f.gateway.setFaults([
            { kind: "token-expired-body", route: "/echo", count: 1 },
            { kind: "status", status: 503, route: "/echo", count: 1 },
          ]);
          const { events, onEvent } = collector();
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            url: "/echo",
            retry: FAST,
            onEvent,
          });
          assert.equal(response.status, 200);
          assert.equal((await f.gateway.stats()).tokensIssued, 2);
          const types = events
            .map((event) => event.type)
            .filter((type) => type.startsWith("request."));
          assert.deepEqual(types, ["request.retried_after_auth_failure", "request.retry"]);
        });
      },
    );
  });
}
