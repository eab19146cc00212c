/** The fake 1688 catalogue behind the scrape route: offer URLs in, deterministic products out. */
import { createHash } from "node:crypto";

/** What the scrape route returns for an offer. */
export interface Product {
  readonly offerId: string;
  readonly title: string;
  /** CNY, at most 2 decimals, from 1.00 to 999.99. */
  readonly price: number;
  readonly currency: "CNY";
  /** The canonical offer URL. */
  readonly url: string;
}

const OFFER_PATH = /^\/offer\/(\d{1,30})\.html$/;
const ADJECTIVES = ["Stainless", "Foldable", "Wireless", "Cotton", "Bamboo", "Ceramic", "Portable"];
const NOUNS = ["Water Bottle", "Phone Stand", "Desk Lamp", "Tote Bag", "Storage Box", "Mug", "Fan"];

/**
 * The offer id of a 1688 offer URL (`https://detail.1688.com/offer/<digits>.html`, query and
 * fragment allowed), or `null` for anything else.
 *
 * @example
 * offerIdOf("https://detail.1688.com/offer/610947572360.html"); // "610947572360"
 */
export function offerIdOf(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.hostname !== "detail.1688.com") return null;
  if (url.port !== "" || url.username !== "" || url.password !== "") return null;
  return OFFER_PATH.exec(url.pathname)?.[1] ?? null;
}

/**
 * The product for an offer id: the same id gives the same product in every process, so tests can
 * hard-code expectations.
 *
 * @example
 * productFor("610947572360").price; // always the same number
 */
export function productFor(offerId: string): Product {
  const digest = createHash("sha256").update(offerId, "utf8").digest();
  const cents = 100 + (digest.readUInt32BE(0) % 99_900);
  const adjective = ADJECTIVES[digest.readUInt8(4) % ADJECTIVES.length];
  const noun = NOUNS[digest.readUInt8(5) % NOUNS.length];
  return {
    offerId,
    title: `${adjective} ${noun} (offer ${offerId})`,
    price: cents / 100,
    currency: "CNY",
    url: `https://detail.1688.com/offer/${offerId}.html`,
  };
}
