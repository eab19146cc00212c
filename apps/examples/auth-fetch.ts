/**
 * The fetch-compatible API: `authFetch` is `fetch` plus the token (from the environment's config),
 * refresh-and-resend on an auth failure, and the origin policy. Hand it to code that takes a fetch.
 *
 *   AUTH_BASE=https://gw.example.com CLIENT_KEY=… bun apps/examples/auth-fetch.ts [OFFER_URL]
 */
import { authFetch } from "@openclaw/auth-runtime";
import { ExitCode, runExample } from "./lib/exit.ts";
import { checkOfferUrl, SAMPLE_OFFER_URL, SCRAPE_PATH } from "./lib/scrape.ts";

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** Code that knows nothing about tokens: it only takes a fetch function. */
async function postJson(fetchFn: FetchFn, path: string, payload: unknown): Promise<Response> {
  return fetchFn(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
}

await runExample(async () => {
  const offerUrl = checkOfferUrl(process.argv[2] ?? SAMPLE_OFFER_URL);
  // A path resolves against AUTH_BASE; an absolute URL must be on an allowed origin.
  const res = await postJson(authFetch, SCRAPE_PATH, { url: offerUrl });
  console.log(`status: ${res.status}`);
  console.log(`body: ${await res.text()}`);
  if (!res.ok) process.exitCode = ExitCode.RequestFailed;
});
