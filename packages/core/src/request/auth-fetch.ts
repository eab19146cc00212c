/** `createAuthFetch`: the request path behind a `fetch`-compatible function. */

import type { ApiResponse } from "./api-response.ts";
import type { AuthFetch, AuthFetchOptions, AutoRefreshRequestOptions } from "./options.ts";
import type { ApiBody, RedirectMode } from "./send-request.ts";

/** A fetch over `request` (the runtime's `requestApiWithAutoRefresh`) with `options` applied. */
export function createAuthFetchWith(
  request: (options: AutoRefreshRequestOptions) => Promise<ApiResponse>,
  options: AuthFetchOptions,
): AuthFetch {
  return async (input, init) => {
    const source = input instanceof Request ? input : undefined;
    const url = source ? source.url : input instanceof URL ? input.href : String(input);
    const method = init?.method ?? source?.method ?? "GET";
    // Without a Request or init headers there is nothing to merge (buildHeaders copies anyway).
    let headers: Headers | undefined;
    if (source || init?.headers !== undefined) {
      headers = new Headers(source?.headers);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    }
    const body =
      init?.body !== undefined
        ? (init.body as ApiBody)
        : source?.body
          ? new Uint8Array(await source.arrayBuffer())
          : null;
    const signal = init?.signal ?? source?.signal ?? undefined;
    const redirect = init?.redirect ?? source?.redirect;
    const response = await request({
      ...options,
      method,
      url,
      headers,
      body,
      ...(signal ? { signal } : {}),
      ...(redirect ? { redirect: redirect as RedirectMode } : {}),
    });
    return toFetchResponse(response, method);
  };
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * True where `Response` is native (Bun): a body given to its constructor costs next to nothing,
 * and native consumers (`Bun.serve` answering with this Response) read that body, so it must
 * hold the bytes. Node's `Response` is undici's JavaScript class, whose constructor builds a
 * ReadableStream for every body: more than the rest of a warm request costs (BENCHMARKS.md).
 */
const NATIVE_RESPONSE = Function.prototype.toString.call(Response).includes("[native code]");

function toFetchResponse(response: ApiResponse, method: string): Response {
  if (NULL_BODY_STATUSES.has(response.status) || method === "HEAD") {
    return withUrl(new Response(null, init(response)), response.url);
  }
  if (NATIVE_RESPONSE) return withUrl(new Response(response.body, init(response)), response.url);
  return new TextBodyResponse(response) as unknown as Response;
}

function init(response: ApiResponse): ResponseInit {
  return { status: response.status, statusText: response.statusText, headers: response.headers };
}

function withUrl(out: Response, url: string): Response {
  Object.defineProperty(out, "url", { value: url });
  return out;
}

/** `Response`, typed loosely: lib.dom and Node's types disagree on its members' kinds. */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => object;

/**
 * A Response whose body is text already read (and checked for an auth failure), served from
 * that text: the stream of `body` is built only if asked for. Everything a caller reads through
 * it (`text`, `json`, `arrayBuffer`, `bytes`, `blob`, `formData`, `body`, `bodyUsed`, `clone`)
 * behaves as fetch's Response does, "body already used" included;
 * `Response.prototype.text.call(it)` would see no body.
 */
class TextBodyResponse extends ResponseBase {
  readonly #source: ApiResponse;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;
  #headers: Headers | undefined;

  constructor(source: ApiResponse) {
    super(null, { status: source.status, statusText: source.statusText });
    this.#source = source;
  }

  /** A copy, made when first asked for: as the Response built on Bun, its headers may be changed. */
  get headers(): Headers {
    this.#headers ??= new Headers(this.#source.headers);
    return this.#headers;
  }

  get url(): string {
    return this.#source.url;
  }

  get body(): ReadableStream<Uint8Array> {
    this.#stream ??= new Response(this.#source.body).body as ReadableStream<Uint8Array>;
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  /** The body's text, once; after `body` was taken, read through that stream as fetch would. */
  #take(): Promise<string> {
    if (this.bodyUsed)
      return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    if (this.#stream) return new Response(this.#stream).text();
    return Promise.resolve(this.#source.body);
  }

  text(): Promise<string> {
    return this.#take();
  }

  json(): Promise<unknown> {
    return this.#take().then((text) => JSON.parse(text));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#take().then((text) => new TextEncoder().encode(text).buffer as ArrayBuffer);
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#take().then((text) => new TextEncoder().encode(text));
  }

  blob(): Promise<Blob> {
    // Through a Response: the Blob's type is then the content type as fetch normalises it.
    const headers = this.headers;
    return this.#take().then((text) => new Response(text, { headers }).blob());
  }

  formData(): Promise<unknown> {
    const headers = this.headers;
    return this.#take().then((text) => new Response(text, { headers }).formData());
  }

  clone(): unknown {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    if (this.#stream) {
      // The stream was handed out: the clone takes half of it, as fetch's clone does.
      const [mine, theirs] = this.#stream.tee();
      this.#stream = mine;
      return withUrl(new Response(theirs, init(this.#source)), this.url);
    }
    return new TextBodyResponse(this.#source);
  }
}
