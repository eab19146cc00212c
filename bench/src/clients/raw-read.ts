/**
 * The baseline of bench/src/warm-script.ts: the least a script can do to use a cached token.
 * Reads the cache file named by WARM_CACHE_FILE, parses it and checks that the token is fresh.
 */
import { readFileSync } from "node:fs";

const file = JSON.parse(readFileSync(process.env.WARM_CACHE_FILE as string, "utf8"));
if (typeof file.access_token !== "string" || !(file.expires_at > Date.now() / 1000 + 60)) {
  process.exit(1);
}
console.log(file.access_token);
