/**
 * The 1688 scrape flow shared by `scrape-1688.ts` and the demo: check the offer URL, POST it to
 * `{authBase}/ecom/tasks/scrape` with an auto-refreshing token, and read the title and price.
 */
import {
  type ApiResponse,
  type EnvConfig,
  requestApiWithAutoRefresh,
  type TokenManager,
} from "@openclaw/auth-runtime";
import { ExampleError, ExitCode } from "./exit.ts";

/** The gateway's scrape route. */
export const SCRAPE_PATH = "/ecom/tasks/scrape";

/** An offer the examples use when none is given. */
export const SAMPLE_OFFER_URL = "https://detail.1688.com/offer/610947572360.html";

const OFFER_PATH = /^\/offer\/(\d+)\.html$/;
/** An offer id as 1688 writes them: digits only (a bare id is taken for its detail page). */
const OFFER_ID = /^\d{1,20}$/;
/** The hosts an offer page is on: the desktop page and the mobile one (same ids). */
const OFFER_HOSTS = new Set(["detail.1688.com", "m.1688.com"]);

/** The canonical page of offer `id`, the form the gateway's scrape takes. */
export const offerUrlOf = (id: string) => `https://detail.1688.com/offer/${id}.html`;

const USAGE =
  "expected a 1688 offer URL like https://detail.1688.com/offer/610947572360.html (or its " +
  "https://m.1688.com/offer/….html page, or the offer id alone, 610947572360)";

/**
 * The offer URL to scrape for `value`: `https://detail.1688.com/offer/<digits>.html` as given (a
 * query string or fragment allowed); the mobile page `https://m.1688.com/offer/<digits>.html` and
 * a bare offer id as the detail page's URL. Anything else is an {@link ExampleError} with exit
 * code 2, checked before any request: a typo should not cost a token request. `what` names the
 * argument in the message, if given (the value is not repeated: a pasted URL may carry tokens in its query).
 *
 * @example
 * checkOfferUrl("610947572360"); // "https://detail.1688.com/offer/610947572360.html"
 */
export function checkOfferUrl(value: string | undefined, what?: string): string {
  if (value === undefined || value === "") {
    throw new ExampleError(`missing ${what ?? "offer URL"}: ${USAGE}`, ExitCode.Usage);
  }
  if (OFFER_ID.test(value)) return offerUrlOf(value);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const id =
    url?.protocol === "https:" && OFFER_HOSTS.has(url.hostname) && url.port === ""
      ? OFFER_PATH.exec(url.pathname)?.[1]
      : undefined;
  if (id === undefined) {
    const subject = what === undefined ? "not" : `${what} is not`;
    throw new ExampleError(`${subject} a 1688 offer URL: ${USAGE}`, ExitCode.Usage);
  }
  return url?.hostname === "detail.1688.com" ? value : offerUrlOf(id);
}

/** What the scrape returns, as the examples print it. */
export interface ScrapedOffer {
  readonly title: string;
  /** As the gateway sent it: a number, or a string such as "12.50" or "9.90-12.00". */
  readonly price: number | string;
  readonly currency: string | undefined;
  readonly offerId: string | undefined;
}

/** Options of {@link scrapeOffer}. */
export interface ScrapeOptions {
  readonly config: EnvConfig;
  /** Another token manager than the process-wide one for `config`. */
  readonly tokenManager?: TokenManager;
  readonly signal?: AbortSignal;
}

/**
 * Scrapes one 1688 offer through the gateway. The token is fetched, cached and refreshed by the
 * runtime; a token the gateway refuses (expired, revoked) is replaced and the request resent once.
 *
 * @example
 * const offer = await scrapeOffer(SAMPLE_OFFER_URL, { config: createEnvConfig() });
 * console.log(offer.title, offer.price);
 */
export async function scrapeOffer(offerUrl: string, options: ScrapeOptions): Promise<ScrapedOffer> {
  const response = await requestApiWithAutoRefresh({
    config: options.config,
    method: "POST",
    url: SCRAPE_PATH,
    body: { url: checkOfferUrl(offerUrl) },
    ...(options.tokenManager ? { tokenManager: options.tokenManager } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return readOffer(response);
}

/** The offer in a scrape response (at the top level or in a `data` wrapper), or a clear error. */
export function readOffer(response: ApiResponse): ScrapedOffer {
  if (response.status === 401 || response.status === 403) {
    throw new ExampleError(
      `the gateway refused the token even after a refresh (HTTP ${response.status}): ${excerpt(response.body)}`,
      ExitCode.Auth,
    );
  }
  if (!response.ok) {
    throw new ExampleError(
      `scrape failed (HTTP ${response.status}): ${excerpt(response.body)}`,
      ExitCode.RequestFailed,
    );
  }
  const json = response.tryJson<Record<string, unknown>>();
  const record = isRecord(json?.data) ? json.data : json;
  const title = record?.title;
  const price = record?.price;
  if (
    typeof title !== "string" ||
    (typeof price !== "number" && (typeof price !== "string" || price === ""))
  ) {
    throw new ExampleError(
      `unexpected scrape response (HTTP ${response.status}, no title and price): ${excerpt(response.body)}`,
      ExitCode.RequestFailed,
    );
  }
  return {
    title,
    price,
    currency: typeof record?.currency === "string" ? record.currency : undefined,
    offerId: typeof record?.offerId === "string" ? record.offerId : undefined,
  };
}

/** `123.4` as `123.40 CNY`; a string price as it came. */
export function formatPrice(offer: Pick<ScrapedOffer, "price" | "currency">): string {
  const amount = typeof offer.price === "number" ? offer.price.toFixed(2) : offer.price;
  return offer.currency ? `${amount} ${offer.currency}` : amount;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function excerpt(body: string, max = 200): string {
  const line = body.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line || "(empty body)";
}
