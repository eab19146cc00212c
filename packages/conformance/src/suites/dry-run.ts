/** Dry run: a recognisable fake token and a synthetic response; no request, no file. */
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { CLIENT_KEY, caught, it, withFixture } from "../support.ts";
import type { Harness } from "../types.ts";

export function dryRunSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("dry run", () => {
    it(h, "dry run makes no request and writes no file", async () => {
      await withFixture(h, {}, async (f) => {
        const config = f.config;
        assert.equal(await api.getAccessToken({ config, dryRun: true }), api.DRY_RUN_TOKEN);
        assert.equal(await api.refreshAccessToken({ config, dryRun: true }), api.DRY_RUN_TOKEN);
        const info = await api.getAccessTokenInfo({ config, dryRun: true });
        assert.equal(info.accessToken, api.DRY_RUN_TOKEN);
        assert.ok(info.expiresAt > Date.now() / 1000);

        const response = await api.requestApiWithAutoRefresh({
          config,
          dryRun: true,
          method: "post",
          url: "/ecom/tasks/scrape",
          headers: { "x-trace": "t1" },
          body: { url: "https://detail.1688.com/offer/1.html" },
        });
        assert.equal(response.status, 200);
        assert.equal(response.ok, true);
        assert.equal(response.dryRun, true);
        const described = response.json<{
          dryRun: boolean;
          method: string;
          url: string;
          headers: Record<string, string>;
          body: unknown;
        }>();
        assert.equal(described.dryRun, true);
        assert.equal(described.method, "POST");
        assert.equal(described.url, `${f.gateway.url}/ecom/tasks/scrape`);
        assert.equal(described.headers.authorization, "Bearer [redacted]");
        assert.equal(described.headers["x-trace"], "t1");
        assert.match(described.headers["content-type"] ?? "", /application\/json/);
        assert.deepEqual(described.body, { url: "https://detail.1688.com/offer/1.html" });
        assert.ok(!response.body.includes(api.DRY_RUN_TOKEN));
        assert.ok(!response.body.includes(CLIENT_KEY));

        const authFetch = api.createAuthFetch({ config, dryRun: true });
        const fetched = await authFetch("/echo", { method: "DELETE" });
        assert.equal(fetched.status, 200);
        assert.equal(((await fetched.json()) as { method: string }).method, "DELETE");

        assert.deepEqual((await f.gateway.stats()).requests, {});
        await assert.rejects(stat(f.cacheDir), { code: "ENOENT" }, "no cache dir, no file");
      });
    });

    it(h, "dry run still refuses a foreign origin", async () => {
      await withFixture(h, {}, async (f) => {
        const error = await caught(
          api.requestApiWithAutoRefresh({
            config: f.config,
            dryRun: true,
            url: "https://elsewhere.example/x",
          }),
        );
        assert.ok(error instanceof api.ApiError);
      });
    });
  });
}
