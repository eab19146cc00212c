/**
 * `bun run demo`: the main job end to end with nothing but `bun install`. Starts the dev gateway
 * in-process on a free loopback port, then gets a token, scrapes a 1688 offer, and recovers on
 * its own when the gateway revokes the token and when it says "token expired".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cacheFilePath,
  createEnvConfig,
  createTokenManager,
  getAccessTokenInfo,
  type TokenInfo,
} from "@openclaw/auth-runtime";
import { startDevGateway } from "@openclaw/dev-gateway";
import { runExample } from "./lib/exit.ts";
import { formatPrice, SAMPLE_OFFER_URL, SCRAPE_PATH, scrapeOffer } from "./lib/scrape.ts";

const DEMO_CLIENT_KEY = "demo-client-key"; // known only to this in-process gateway; never printed

async function timed<T>(run: () => Promise<T>): Promise<[T, string]> {
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  return [value, ms < 1 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`];
}

const expiresIn = (info: TokenInfo) => `${Math.round(info.expiresAt - Date.now() / 1000)} s`;

await runExample(async () => {
  const gateway = startDevGateway({ clientKeys: [DEMO_CLIENT_KEY], ttlSec: 900 });
  const cacheDir = await mkdtemp(join(tmpdir(), "openclaw-demo-"));
  try {
    // The same config a script gets from AUTH_BASE / CLIENT_KEY / AUTH_CACHE_DIR.
    const config = createEnvConfig(
      { AUTH_BASE: gateway.url, CLIENT_KEY: DEMO_CLIENT_KEY, AUTH_CACHE_DIR: cacheDir },
      { envFile: false },
    );
    const say = (line: string) => console.log(line);
    say(`openclaw-auth demo: dev gateway ${gateway.url} (in-process), token cache ${cacheDir}`);

    const [first, networkMs] = await timed(() => getAccessTokenInfo({ config }));
    say(
      `1. token    fetched from the ${first.source} in ${networkMs} (expires in ${expiresIn(first)})`,
    );

    const [again, memoryMs] = await timed(() => getAccessTokenInfo({ config }));
    // A second process finds the cache file; a fresh token manager reads it the same way.
    const otherProcess = createTokenManager({ config });
    const [shared, fileMs] = await timed(() => getAccessTokenInfo({ tokenManager: otherProcess }));
    const file = cacheFilePath(config).split("/").pop();
    say(
      `2. token    served from ${again.source} in ${memoryMs}; from the ${shared.source} file ${file}` +
        ` in ${fileMs}, as another process would`,
    );

    const offer = await scrapeOffer(SAMPLE_OFFER_URL, { config });
    say(`3. scrape   ${offer.title}: price ${formatPrice(offer)}`);

    let before = gateway.stats();
    gateway.revokeAll();
    const afterRevoke = await scrapeOffer(SAMPLE_OFFER_URL, { config });
    let after = gateway.stats();
    const refused = after.authFailures - before.authFailures;
    const renewed = after.tokensIssued - before.tokensIssued;
    say(
      `4. revoke   the gateway revoked every token; the next scrape got HTTP 403 (${refused}x),` +
        ` fetched a new token (${renewed}x) and retried on its own: price ${formatPrice(afterRevoke)}`,
    );

    before = after;
    gateway.setFaults([{ kind: "token-expired-body", route: SCRAPE_PATH, count: 1 }]);
    const afterExpired = await scrapeOffer(SAMPLE_OFFER_URL, { config });
    after = gateway.stats();
    say(
      `5. expire   the gateway answered HTTP 200 {"code":401,"msg":"token expired"}; a new token` +
        ` (${after.tokensIssued - before.tokensIssued}x) and a retry: price ${formatPrice(afterExpired)}`,
    );

    const tokenRequests = after.requests[config.sessionPath] ?? 0;
    const scrapes = after.requests[SCRAPE_PATH] ?? 0;
    say(
      `token requests: ${tokenRequests} (1 at start + 1 per refusal), tokens issued: ${after.tokensIssued},` +
        ` scrape requests: ${scrapes} (3 scrapes + 2 retries)`,
    );
    const sameToken =
      again.accessToken === first.accessToken && shared.accessToken === first.accessToken;
    if (tokenRequests !== 3 || scrapes !== 5 || !sameToken || shared.source !== "cache") {
      throw new Error("the demo did not go as expected (see the counts above)");
    }
    say("ok");
  } finally {
    await gateway.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
});
