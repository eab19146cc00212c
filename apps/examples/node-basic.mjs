/**
 * The same API on Node.js (>= 20), from @openclaw/auth-runtime-node: get a token (shared with Bun
 * processes through the same cache file), then scrape a 1688 offer with an auto-refreshing POST.
 *
 *   bun run build      # once: builds packages/node/dist, which this script imports
 *   AUTH_BASE=https://gw.example.com CLIENT_KEY=… node apps/examples/node-basic.mjs [OFFER_URL]
 *
 * Exit codes as the CLI: 0 ok, 1 request failed, 2 config, 3 auth, 4 network.
 */
import {
  createEnvConfig,
  getAccessTokenInfo,
  requestApiWithAutoRefresh,
} from "@openclaw/auth-runtime-node";

const EXIT_CODES = {
  CONFIG_ERROR: 2,
  AUTH_SESSION_ERROR: 3,
  AUTH_NETWORK_ERROR: 4,
  API_ERROR: 4,
};

try {
  const offerUrl = process.argv[2] ?? "https://detail.1688.com/offer/610947572360.html";
  const config = createEnvConfig(); // process.env first, then ./.env

  const { source, expiresAt } = await getAccessTokenInfo({ config });
  console.log(
    `token: from the ${source}, expires in ${Math.round(expiresAt - Date.now() / 1000)} s`,
  );

  const res = await requestApiWithAutoRefresh({
    config,
    method: "POST",
    url: "/ecom/tasks/scrape",
    body: { url: offerUrl },
  });
  console.log(`status: ${res.status}`);
  const offer = res.tryJson();
  const product = offer?.data ?? offer;
  if (res.ok && product?.title !== undefined && product?.price !== undefined) {
    console.log(`title: ${product.title}`);
    const price = typeof product.price === "number" ? product.price.toFixed(2) : product.price;
    console.log(`price: ${price} ${product.currency ?? ""}`.trimEnd());
  } else {
    console.log(`body: ${res.body}`);
    process.exitCode = 1;
  }
} catch (error) {
  // The runtime's messages never contain the client key or a token.
  console.error(`error${error.code ? ` [${error.code}]` : ""}: ${error.message}`);
  process.exitCode = EXIT_CODES[error.code] ?? 1;
}
