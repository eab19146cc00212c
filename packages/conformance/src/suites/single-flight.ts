/** Single flight: concurrent callers share one token request, in one process and across processes. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  CLIENT_KEY,
  documentedCachePath,
  it,
  recordOutput,
  requestsTo,
  sleep,
  withFixture,
} from "../support.ts";
import type { Harness } from "../types.ts";

interface ClientLine {
  token?: string;
  source?: string;
  elapsedMs?: number;
  waited?: { ms: number; outcome: string } | null;
  error?: { name: string; code: string; message: string };
}

function parseClientLine(stdout: string): ClientLine {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as ClientLine;
}

export function singleFlightSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("single flight", () => {
    it(
      h,
      "1,000 concurrent getAccessToken calls on a cold cache make one token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "latency", ms: 200, route: "/auth/session" }]);
          const tokens = await Promise.all(
            Array.from({ length: 1000 }, () => api.getAccessToken({ config: f.config })),
          );
          assert.equal(new Set(tokens).size, 1);
          const stats = await f.gateway.stats();
          assert.equal(stats.tokensIssued, 1);
          assert.equal(stats.requests["/auth/session"], 1);
        });
      },
    );

    it(
      h,
      "50 concurrent callers of a memory-only manager (no store, no lock) make one token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "latency", ms: 200, route: "/auth/session" }]);
          const tokenManager = api.createTokenManager({ config: f.config, store: null });
          const tokens = await Promise.all(
            Array.from({ length: 50 }, () => api.getAccessToken({ tokenManager })),
          );
          assert.equal(new Set(tokens).size, 1);
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
        });
      },
    );

    it(
      h,
      "after a failed refresh, the still-valid token is served for a while without asking again",
      async () => {
        // Tokens of 30 s with minTtlSec 60 are never fresh: every call wants a new one.
        await withFixture(h, { gateway: { ttlSec: 30 } }, async (f) => {
          const tokenManager = api.createTokenManager({
            config: f.configWith({ AUTH_MIN_TTL_SEC: "60" }),
            store: null,
            retry: { limit: 0 },
            onWarning: recordOutput,
          });
          const first = await api.getAccessToken({ tokenManager });
          await f.gateway.setFaults([{ kind: "status", status: 503, route: "/auth/session" }]);
          for (let i = 0; i < 20; i++) {
            const info = await api.getAccessTokenInfo({ tokenManager });
            assert.equal(info.accessToken, first);
            assert.equal(info.source, "stale");
          }
          // One token request for the first token and one failed refresh: the other 19 calls
          // fell in the window in which the stale token is served without asking.
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 2);
        });
      },
    );

    it(h, "a warm token is served from memory without any request", async () => {
      await withFixture(h, {}, async (f) => {
        const first = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(first.source, "network");
        const again = await api.getAccessTokenInfo({ config: f.config });
        assert.equal(again.source, "memory");
        assert.equal(again.accessToken, first.accessToken);
        // An equal config object made separately shares the same process-wide token.
        const same = f.configWith({});
        assert.equal(await api.getAccessToken({ config: same }), first.accessToken);
        assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
      });
    });

    it(h, "a config with a lower AUTH_MAX_TTL_SEC does not share the other's token", async () => {
      await withFixture(h, {}, async (f) => {
        const long = await api.getAccessTokenInfo({ config: f.config });
        assert.ok(long.expiresIn > 600, `${long.expiresIn}`);
        const capped = await api.getAccessTokenInfo({
          config: f.configWith({ AUTH_MAX_TTL_SEC: "120" }),
        });
        assert.ok(capped.expiresAt <= Date.now() / 1000 + 121, `${capped.expiresAt}`);
      });
    });

    it(h, "concurrent refreshes of the same rejected token share one token request", async () => {
      await withFixture(h, {}, async (f) => {
        const old = await api.getAccessToken({ config: f.config });
        await f.gateway.setFaults([{ kind: "latency", ms: 200, route: "/auth/session" }]);
        const fresh = await Promise.all(
          Array.from({ length: 50 }, () =>
            api.refreshAccessToken({ config: f.config, rejectedToken: old }),
          ),
        );
        assert.equal(new Set(fresh).size, 1);
        assert.notEqual(fresh[0], old);
        assert.equal((await f.gateway.stats()).tokensIssued, 2);
      });
    });

    it(
      h,
      "two token managers on one cold cache dir make one token request (the lock file)",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
          const managers = [f.manager(), f.manager(), f.manager()];
          const infos = await Promise.all(
            managers.flatMap((tokenManager) =>
              Array.from({ length: 20 }, () => api.getAccessTokenInfo({ tokenManager })),
            ),
          );
          assert.equal(new Set(infos.map((i) => i.accessToken)).size, 1);
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
          assert.ok(
            infos.some((i) => i.source === "cache"),
            "the waiting managers read the file",
          );
        });
      },
    );

    it(
      h,
      "8 client processes on a cold shared cache dir make one token request and get the same token",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "latency", ms: 300, route: "/auth/session" }]);
          const runs = await h.runClients(8, ["token"], { ...f.env });
          for (const run of runs) recordOutput(`${run.stdout}\n${run.stderr}`);
          const lines = runs.map((run, i) => {
            assert.equal(run.code, 0, `client ${i}: exit ${run.code}\n${run.stderr}`);
            return parseClientLine(run.stdout);
          });
          assert.equal(new Set(lines.map((l) => l.token)).size, 1, JSON.stringify(lines));
          assert.equal(lines.filter((l) => l.source === "network").length, 1);
          assert.equal((await f.gateway.stats()).tokensIssued, 1);

          // Warm: a later client reads the file.
          const [warm] = await h.runClients(1, ["token"], { ...f.env });
          assert.equal(warm?.code, 0, warm?.stderr);
          const line = parseClientLine(warm?.stdout ?? "");
          assert.equal(line.source, "cache");
          assert.equal(line.token, lines[0]?.token);
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
          for (const run of [...runs, warm]) {
            assert.ok(!`${run?.stdout}${run?.stderr}`.includes(CLIENT_KEY));
          }
        });
      },
      60_000,
    );

    it(
      h,
      "12 client processes racing on a cold cache dir with no latency make one token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          const runs = await h.runClients(12, ["token"], { ...f.env });
          for (const run of runs) recordOutput(`${run.stdout}\n${run.stderr}`);
          const tokens = runs.map((run, i) => {
            assert.equal(run.code, 0, `client ${i}: exit ${run.code}\n${run.stderr}`);
            return parseClientLine(run.stdout).token;
          });
          assert.equal(new Set(tokens).size, 1);
          assert.equal((await f.gateway.stats()).tokensIssued, 1);
        });
      },
      60_000,
    );

    it(
      h,
      "a client process reports a failure as one JSON error line with exit code 1",
      async () => {
        await withFixture(h, {}, async (f) => {
          await f.gateway.setFaults([{ kind: "status", status: 401, route: "/auth/session" }]);
          const [run] = await h.runClients(1, ["refresh"], { ...f.env });
          recordOutput(`${run?.stdout}\n${run?.stderr}`);
          assert.equal(run?.code, 1, run?.stderr);
          const line = parseClientLine(run?.stdout ?? "");
          assert.equal(line.error?.name, "AuthSessionError");
          assert.equal(line.error?.code, "AUTH_SESSION_ERROR");
          assert.ok(line.error?.message.startsWith("Auth session request failed"));
          assert.ok(!`${run?.stdout}${run?.stderr}`.includes(CLIENT_KEY));
        });
      },
      60_000,
    );

    it(
      h,
      "a process waiting for the lock with a 10 s poll gets the token the holder writes long before its first poll (notifications), with 1 token request",
      async () => {
        await withFixture(h, {}, async (f) => {
          // The holder (this process) asks a slow gateway, holding the lock file meanwhile.
          await f.gateway.setFaults([{ kind: "latency", ms: 3000, route: "/auth/session" }]);
          const holder = f.manager().getToken();
          const lockFile = documentedCachePath(
            f.cacheDir,
            f.env.AUTH_BASE ?? "",
            CLIENT_KEY,
          ).replace(/\.json$/, ".lock");
          for (let i = 0; i < 1000 && !existsSync(lockFile); i++) await sleep(10);
          assert.ok(existsSync(lockFile), "the holder took the lock file");
          // Polling every 10 s, the waiter's first look after its first try is 5..15 s away.
          const [run] = await h.runClients(1, ["token-poll", "10000"], { ...f.env });
          const held = await holder;
          recordOutput(`${run?.stdout}\n${run?.stderr}`);
          assert.equal(run?.code, 0, run?.stderr);
          const line = parseClientLine(run?.stdout ?? "");
          assert.equal(line.token, held.accessToken);
          assert.equal(line.source, "cache");
          assert.equal(
            line.waited?.outcome,
            "token",
            "the waiter found the lock held, then the token",
          );
          assert.ok((line.elapsedMs ?? 0) < 4500, `got it after ${line.elapsedMs} ms`);
          assert.equal(await requestsTo(f.gateway, "/auth/session"), 1);
        });
      },
      60_000,
    );
  });
}
