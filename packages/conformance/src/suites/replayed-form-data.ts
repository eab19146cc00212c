/**
 * A FormData body is encoded once: the resend after an auth failure and an API retry carry the
 * same bytes under the same multipart boundary as the first attempt (fetch would pick a new
 * random boundary for each send).
 */
import assert from "node:assert/strict";
import { it, type SeenRequest, withFixture, withScriptedServer } from "../support.ts";
import type { Harness } from "../types.ts";

function form(): FormData {
  const data = new FormData();
  data.append("field", "value");
  data.append("file", new Blob(["file content \u00e9"], { type: "text/plain" }), "a.txt");
  return data;
}

/** The two attempts the server saw: the same bytes, the same content type with its boundary. */
function assertSameAttempts(seen: readonly SeenRequest[]): void {
  assert.equal(seen.length, 2);
  const [first, second] = seen as [SeenRequest, SeenRequest];
  assert.match(first.headers["content-type"] ?? "", /^multipart\/form-data; ?boundary=/);
  assert.equal(second.headers["content-type"], first.headers["content-type"]);
  assert.equal(second.body, first.body);
  assert.match(first.body, /name="field"\r\n\r\nvalue\r\n/);
  assert.match(first.body, /filename="a.txt"[\s\S]*file content \u00e9/);
}

export function replayedFormDataSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("FormData bodies resent byte for byte", () => {
    it(
      h,
      "the resend after an auth failure has the first attempt's boundary and bytes",
      async () => {
        await withFixture(h, {}, async (f) => {
          let calls = 0;
          await withScriptedServer(
            () => (++calls === 1 ? { status: 401, body: { error: "expired" } } : { body: {} }),
            async (server) => {
              const config = f.configWith({ AUTH_ALLOWED_ORIGINS: server.url });
              const response = await api.requestApiWithAutoRefresh({
                config,
                method: "POST",
                url: `${server.url}/upload`,
                body: form(),
              });
              assert.equal(response.status, 200);
              assertSameAttempts(server.seen);
            },
          );
        });
      },
    );

    it(h, "an API retry after a 503 has the first attempt's boundary and bytes", async () => {
      await withFixture(h, {}, async (f) => {
        let calls = 0;
        await withScriptedServer(
          () => (++calls === 1 ? { status: 503, body: "busy" } : { body: {} }),
          async (server) => {
            const config = f.configWith({ AUTH_ALLOWED_ORIGINS: server.url });
            const response = await api.requestApiWithAutoRefresh({
              config,
              method: "POST",
              url: `${server.url}/upload`,
              body: form(),
              retry: { methods: ["POST"], baseDelayMs: 1, maxDelayMs: 5 },
            });
            assert.equal(response.status, 200);
            assertSameAttempts(server.seen);
          },
        );
      });
    });
  });
}
