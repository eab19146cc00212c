/**
 * The warm script of bench/src/warm-script.ts: what a user's short script does. Imports the
 * runtime, gets the token the cache file already holds (config from CLIENT_KEY, AUTH_BASE,
 * AUTH_CACHE_DIR) and prints it.
 */
import { getAccessToken } from "@openclaw/auth-runtime";

console.log(await getAccessToken());
