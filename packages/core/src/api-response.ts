/** The response of an API call: status, headers and the body as text, read once. */

export class ApiResponse {
  /** HTTP status; 200 for a dry run. */
  readonly status: number;
  readonly statusText: string;
  /** The response body as text. */
  readonly body: string;
  /** The URL the request was sent to (after redirects). */
  readonly url: string;
  /** True when nothing was sent: the body describes the request that would have been. */
  readonly dryRun: boolean;
  #headers: Headers | (() => Headers) | undefined;
  #json: { value: unknown } | undefined;

  /**
   * `headers` may be a function, called on first access: most callers never look at the
   * response headers, and materialising a fetch Response's headers costs more than the rest of
   * building this object. (So `headers` is a getter, as on fetch's Response: an own property
   * defined per instance costs as much again.)
   */
  constructor(init: {
    status: number;
    statusText?: string;
    headers?: Headers | (() => Headers);
    body: string;
    url: string;
    dryRun?: boolean;
  }) {
    this.status = init.status;
    this.statusText = init.statusText ?? "";
    this.#headers = init.headers;
    this.body = init.body;
    this.url = init.url;
    this.dryRun = init.dryRun ?? false;
  }

  /** The response headers. */
  get headers(): Headers {
    if (typeof this.#headers === "function") this.#headers = this.#headers();
    this.#headers ??= new Headers();
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
