/**
 * Seed example 2: scrape a 1688 offer through the gateway and print its title and price.
 *
 *   AUTH_BASE=https://gw.example.com CLIENT_KEY=… bun apps/examples/scrape-1688.ts \
 *     https://detail.1688.com/offer/610947572360.html
 *
 * Exit codes (as the CLI): 0 ok, 1 the scrape failed, 2 bad URL or config, 3 auth refused,
 * 4 gateway unreachable. Errors are one line on stderr and never contain the key or a token.
 */
import { createEnvConfig } from "@openclaw/auth-runtime";
import { runExample } from "./lib/exit.ts";
import { checkOfferUrl, formatPrice, scrapeOffer } from "./lib/scrape.ts";

await runExample(async () => {
  const offerUrl = checkOfferUrl(process.argv[2]);
  const config = createEnvConfig();
  const offer = await scrapeOffer(offerUrl, { config });
  console.log(`title: ${offer.title}`);
  console.log(`price: ${formatPrice(offer)}`);
});
