/** The response of an API call: status, headers and the body as text, read once. */

/**
 * What `requestApi` and `requestApiWithAutoRefresh` resolve, for every HTTP status: the status,
 * the headers and the whole body as text (read up to `maxResponseBytes`).
 *
 * @example
 * const res = await requestApiWithAutoRefresh({ config, url: "/orders" });
 * if (!res.ok) throw new Error(`HTTP ${res.status}: ${res.body}`);
 * const orders = res.json<Order[]>();
 */
export class ApiResponse {
  /** HTTP status; 200 for a dry run. */
  readonly status: number;
  /** The response body as text. */
  readonly body: string;
  /** True when nothing was sent: the body describes the request that would have been. */
  readonly dryRun: boolean;
  readonly #source: Response | undefined;
  #statusText: string | undefined;
  readonly #url: string;
  #headers: Headers | undefined;
  #json: { value: unknown } | undefined;

  /**
   * `from`: the fetch Response the body was read from. Its headers, status text and final URL
   * are taken from it when first asked for: most callers never look at them, and reading them
   * from a fetch Response costs more than building this object. `url` is the request's URL,
   * used when the response has none.
   */
  constructor(init: {
    status: number;
    body: string;
    url: string;
    statusText?: string;
    headers?: Headers;
    from?: Response;
    dryRun?: boolean;
  }) {
    this.status = init.status;
    this.body = init.body;
    this.dryRun = init.dryRun ?? false;
    this.#source = init.from;
    this.#statusText = init.statusText;
    this.#url = init.url;
    this.#headers = init.headers;
  }

  /** The HTTP status text ("" when the server sent none). */
  get statusText(): string {
    this.#statusText ??= this.#source?.statusText ?? "";
    return this.#statusText;
  }

  /** The URL the request was sent to (after redirects). */
  get url(): string {
    return this.#source?.url || this.#url;
  }

  /** The response headers. */
  get headers(): Headers {
    this.#headers ??= this.#source?.headers ?? new Headers();
    return this.#headers;
  }

  /** True for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body parsed as JSON (parsed once; later calls return the same value). Throws a SyntaxError if it is not JSON. */
  json<T = unknown>(): T {
    this.#json ??= { value: JSON.parse(this.body) };
    return this.#json.value as T;
  }

  /** `json()`, or undefined when the body is not JSON. */
  tryJson<T = unknown>(): T | undefined {
    try {
      return this.json<T>();
    } catch {
      return undefined;
    }
  }
}
