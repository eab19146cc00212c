/**
 * Request bodies: plain objects and arrays as JSON, everything else as fetch sends it, and the
 * resend after an auth failure carries the same bytes ("body already used" is the usual bug).
 */
import assert from "node:assert/strict";
import { it, recordingFetch, type SentRequest, text, withFixture } from "../support.ts";
import type { Harness } from "../types.ts";

interface Echo {
  method: string;
  headers: Record<string, string>;
  body: string;
}

interface BodyCase {
  readonly name: string;
  /** A new body each time: streams can be read only once. */
  readonly make: () => Parameters<Harness["api"]["requestApiWithAutoRefresh"]>[0]["body"];
  /** The body text the gateway must receive. */
  readonly expected: string | ((echo: Echo) => void);
  /** Expected content type (a prefix), or undefined to ignore. */
  readonly contentType?: string;
}

const bytes = new TextEncoder().encode("raw \u00e9 bytes \u0000\u00ff");

const CASES: readonly BodyCase[] = [
  {
    name: "a plain object as JSON",
    make: () => ({ key: "value", n: 1 }),
    expected: '{"key":"value","n":1}',
    contentType: "application/json",
  },
  {
    name: "an array as JSON",
    make: () => [1, "two", { three: 3 }],
    expected: '[1,"two",{"three":3}]',
    contentType: "application/json",
  },
  {
    name: "a string as it is",
    make: () => "plain text, not JSON",
    expected: "plain text, not JSON",
    contentType: "text/plain",
  },
  {
    name: "bytes as they are",
    make: () => bytes.slice(),
    expected: new TextDecoder().decode(bytes),
  },
  {
    name: "an ArrayBuffer as it is",
    make: () => bytes.slice().buffer,
    expected: new TextDecoder().decode(bytes),
  },
  {
    name: "URLSearchParams as a form",
    make: () => new URLSearchParams({ a: "1", b: "x y&z" }),
    expected: "a=1&b=x+y%26z",
    contentType: "application/x-www-form-urlencoded",
  },
  {
    name: "FormData as multipart",
    make: () => {
      const form = new FormData();
      form.append("field", "value");
      form.append("file", new Blob(["file content"], { type: "text/plain" }), "a.txt");
      return form;
    },
    expected: (echo) => {
      assert.match(echo.headers["content-type"] ?? "", /^multipart\/form-data; boundary=/);
      assert.match(echo.body, /name="field"\r\n\r\nvalue\r\n/);
      assert.match(echo.body, /filename="a.txt"[\s\S]*file content/);
    },
  },
  {
    name: "a Blob as it is",
    make: () => new Blob(["blob content"], { type: "application/octet-stream" }),
    expected: "blob content",
  },
  {
    name: "a ReadableStream, read once",
    make: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("streamed "));
          controller.enqueue(new TextEncoder().encode("body"));
          controller.close();
        },
      }),
    expected: "streamed body",
  },
];

function checkEcho(c: BodyCase, echo: Echo): void {
  if (typeof c.expected === "function") c.expected(echo);
  else assert.equal(echo.body, c.expected, c.name);
  if (c.contentType) {
    assert.ok(
      (echo.headers["content-type"] ?? "").startsWith(c.contentType),
      `${c.name}: content-type ${echo.headers["content-type"]}`,
    );
  }
}

/** The body bytes with a multipart boundary (random per serialisation) made neutral. */
function comparable(request: SentRequest): string {
  const boundary = /boundary=([^;]+)/.exec(request.headers.get("content-type") ?? "")?.[1];
  const body = text(request.body);
  return boundary ? body.split(boundary).join("BOUNDARY") : body;
}

export function bodiesSuite(h: Harness): void {
  const { api } = h;

  h.t.describe("request bodies", () => {
    it(h, "each body kind is sent as docs/protocol.md says", async () => {
      await withFixture(h, {}, async (f) => {
        for (const c of CASES) {
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            body: c.make(),
          });
          assert.equal(response.status, 200, c.name);
          checkEcho(c, response.json<Echo>());
        }
        const stats = await f.gateway.stats();
        assert.equal(stats.tokensIssued, 1);
        assert.equal(stats.authFailures, 0);
      });
    });

    it(h, "each body kind is resent with the same bytes after an auth failure", async () => {
      await withFixture(h, {}, async (f) => {
        for (const c of CASES) {
          await f.gateway.setFaults([{ kind: "status", status: 401, route: "/echo", count: 1 }]);
          const recorder = recordingFetch();
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            body: c.make(),
            fetch: recorder.fetch,
          });
          assert.equal(response.status, 200, c.name);
          checkEcho(c, response.json<Echo>());
          assert.equal(recorder.sent.length, 2, c.name);
          const [first, second] = recorder.sent as [SentRequest, SentRequest];
          assert.equal(comparable(second), comparable(first), c.name);
          assert.equal(
            second.headers.get("content-type")?.split(";")[0],
            first.headers.get("content-type")?.split(";")[0],
            c.name,
          );
        }
      });
    });

    it(
      h,
      "a caller's Content-Type and headers are kept; the caller's Authorization is replaced",
      async () => {
        await withFixture(h, {}, async (f) => {
          const recorder = recordingFetch();
          const response = await api.requestApiWithAutoRefresh({
            config: f.config,
            method: "POST",
            url: "/echo",
            headers: {
              "content-type": "application/vnd.openclaw+json",
              "x-trace": "abc",
              authorization: "Bearer caller-token",
            },
            body: { a: 1 },
            fetch: recorder.fetch,
          });
          const echo = response.json<Echo>();
          assert.equal(echo.headers["content-type"], "application/vnd.openclaw+json");
          assert.equal(echo.headers["x-trace"], "abc");
          const token = await api.getAccessToken({ config: f.config });
          assert.equal(recorder.sent[0]?.headers.get("authorization"), `Bearer ${token}`);
        });
      },
    );

    it(h, "the response: status, headers, body text and json()", async () => {
      await withFixture(h, {}, async (f) => {
        const response = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "GET",
          url: "/echo/path?q=1",
        });
        assert.equal(response.status, 200);
        assert.equal(response.ok, true);
        assert.equal(response.dryRun, false);
        assert.match(response.headers.get("content-type") ?? "", /application\/json/);
        assert.equal(typeof response.body, "string");
        assert.deepEqual(JSON.parse(response.body), response.json());
        assert.equal(response.json<Echo>().method, "GET");
        assert.equal(response.url, `${f.gateway.url}/echo/path?q=1`);

        const product = await api.requestApiWithAutoRefresh({
          config: f.config,
          method: "POST",
          url: "/ecom/tasks/scrape",
          body: { url: "https://detail.1688.com/offer/610947572360.html" },
        });
        assert.equal(product.status, 200);
        assert.equal(typeof product.json<{ price: unknown }>().price, "number");

        const health = await api.requestApi({ config: f.config, url: "/health", authToken: "x" });
        assert.deepEqual(health.json(), { ok: true });
      });
    });

    it(h, "json() of a body that is not JSON throws a SyntaxError; the text is still there", () => {
      const response = new api.ApiResponse({
        status: 200,
        body: "<html>",
        url: "http://127.0.0.1/",
      });
      assert.throws(() => response.json(), SyntaxError);
      assert.equal(response.body, "<html>");
    });
  });
}
