/**
 * The Response authFetch gives where `Response` is not native (Node: undici's JavaScript
 * class): a TextBodyResponse served from the text already read. Bun's Response is native, so
 * this file loads a second copy of auth-fetch.ts while `Response` is a JavaScript subclass,
 * and checks that everything a caller reads behaves as fetch's Response does, against a real
 * server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AuthFetch } from "../../src/request/options.ts";
import { requestApi } from "../fixtures/internal-api.ts";

const NativeResponse = Response;
let server: ReturnType<typeof Bun.serve>;
let base = "";
let authFetch: AuthFetch;

beforeAll(async () => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/form") {
        return new NativeResponse("a=1&b=two+words", {
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
      }
      return new NativeResponse('{"n":1,"s":"é"}', {
        status: 202,
        headers: { "content-type": "application/json; charset=utf-8", "x-id": "9" },
      });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  // A JavaScript class, as undici's is: auth-fetch.ts then serves bodies from their text.
  globalThis.Response = class Response extends NativeResponse {};
  // A query makes it another module than the one the runtime loaded, built with this Response.
  const secondCopy = "../../src/request/auth-fetch.ts?javascript-response";
  const { createAuthFetchWith } = (await import(
    secondCopy
  )) as typeof import("../../src/request/auth-fetch.ts");
  authFetch = createAuthFetchWith(
    (options) => requestApi({ ...options, authToken: "t" } as Parameters<typeof requestApi>[0]),
    {},
  );
});
afterAll(() => {
  globalThis.Response = NativeResponse;
  server.stop(true);
});

/** `bytes()`, which lib.dom's Response type does not list yet. */
type WithBytes = Response & { bytes(): Promise<Uint8Array> };
const get = () => authFetch(`${base}/json`) as Promise<WithBytes>;

describe("a Response served from text (Node's kind)", () => {
  test("status, status text, headers, URL; it is a Response", async () => {
    const response = await get();
    expect(response).toBeInstanceOf(NativeResponse);
    expect(response.status).toBe(202);
    expect(response.statusText).toBe("Accepted");
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/json`);
    expect(response.headers.get("x-id")).toBe("9");
    // A copy the caller may change, kept across reads.
    response.headers.set("x-mine", "1");
    expect(response.headers.get("x-mine")).toBe("1");
  });

  test("text, json, arrayBuffer, bytes, blob and formData give the body", async () => {
    const bytes = new TextEncoder().encode('{"n":1,"s":"é"}');
    expect(await (await get()).text()).toBe('{"n":1,"s":"é"}');
    expect(await (await get()).json()).toEqual({ n: 1, s: "é" });
    expect(new Uint8Array(await (await get()).arrayBuffer())).toEqual(bytes);
    expect(await (await get()).bytes()).toEqual(bytes);
    const blob = await (await get()).blob();
    expect(blob.type).toBe("application/json;charset=utf-8");
    expect(await blob.text()).toBe('{"n":1,"s":"é"}');
    const form = (await (await authFetch(`${base}/form`)).formData()) as FormData;
    expect([form.get("a"), form.get("b")]).toEqual(["1", "two words"]);
  });

  test("the body can be read once: a second read is a TypeError; bodyUsed says so", async () => {
    const response = await get();
    expect(response.bodyUsed).toBe(false);
    await response.text();
    expect(response.bodyUsed).toBe(true);
    for (const read of [() => response.text(), () => response.json(), () => response.bytes()]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe("Body is unusable: Body has already been read");
    }
    expect(() => response.clone()).toThrow("Response.clone: Body has already been consumed.");
  });

  test("its body stream gives the bytes; once taken, the text is read through it", async () => {
    const streamed = await get();
    const text = await new NativeResponse(streamed.body).text();
    expect(text).toBe('{"n":1,"s":"é"}');
    expect(streamed.bodyUsed).toBe(true);

    const viaStream = await get();
    expect(viaStream.body).toBe(viaStream.body);
    expect(viaStream.bodyUsed).toBe(false);
    expect(await viaStream.text()).toBe('{"n":1,"s":"é"}');
    expect(viaStream.bodyUsed).toBe(true);
  });

  test("a clone reads the same body, before or after the stream was handed out", async () => {
    const response = await get();
    const copy = response.clone() as Response;
    expect(await copy.text()).toBe('{"n":1,"s":"é"}');
    expect(await response.text()).toBe('{"n":1,"s":"é"}');
    expect(copy.status).toBe(202);

    const streamed = await get();
    void streamed.body;
    const half = streamed.clone() as Response;
    expect(half.url).toBe(`${base}/json`);
    expect(half.status).toBe(202);
    expect(await half.text()).toBe('{"n":1,"s":"é"}');
    expect(await streamed.text()).toBe('{"n":1,"s":"é"}');
  });
});
