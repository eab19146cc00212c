/**
 * TEMPORARY: replaced by @openclaw/auth-runtime/cache's plainConfig/parsePlainEnv on merge
 * (they are being added to core's config-rules.ts with these names and signatures).
 * Until then this holds the warm config's rules as they were in main.ts, over core's defaults,
 * limits and loopback rule. Imported in one place only: main.ts.
 */
import { CONFIG_DEFAULTS, CONFIG_LIMITS, isLoopbackHost } from "@openclaw/auth-runtime/cache";

/**
 * Variables the warm configuration leaves to the runtime: when one is set, the runtime decides.
 * Besides the two it never checks: the lifetime cap, debug output (the runtime prints an event),
 * and the client_credentials grant's variables (another cache key).
 */
const UNCHECKED = [
  "AUTH_ALLOWED_ORIGINS",
  "AUTH_REDIS_URL",
  "AUTH_MAX_TTL_SEC",
  "AUTH_DEBUG",
  "AUTH_GRANT",
  "AUTH_TOKEN_URL",
  "AUTH_ISSUER",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_AUTH",
  "AUTH_SCOPE",
  "AUTH_AUDIENCE",
  "AUTH_RESOURCE",
];

/**
 * .env lines read here: blank, comments, and `[export ]NAME=value` with a value dotenv returns
 * unchanged. Any other line leaves the decision to the runtime's dotenv.
 */
const PLAIN_LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_\-.:/@+,~%=]*)$/;

/** A .env file's variables when every line is plain (see PLAIN_LINE); else undefined. */
export function parsePlainEnv(text: string): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = PLAIN_LINE.exec(line.replace(/\r$/, ""));
    if (!match) return undefined;
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** AUTH_BASE by the runtime's rules: absolute http(s), no credentials/query/fragment, https or loopback. */
function validAuthBase(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (url.username || url.password || url.search || url.hash) return false;
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
}

const integerIn = (value: string, limits: { readonly min: number; readonly max: number }) =>
  /^\d+$/.test(value) && Number(value) >= limits.min && Number(value) <= limits.max;

/**
 * The configuration when every variable `read` answers is one checked here and valid; else
 * undefined (the runtime then validates and reports). `read` answers a variable's value, blank
 * counting as unset.
 */
export function plainConfig(read: (name: string) => string | undefined):
  | {
      authBase: string;
      clientKey: string;
      cacheDir: string;
      minTtlSec: number;
      maxTtlSec: number;
    }
  | undefined {
  const pick = (name: string) => read(name)?.trim() || undefined;
  if (UNCHECKED.some((name) => pick(name) !== undefined)) return undefined;
  const clientKey = pick("CLIENT_KEY");
  const authBase = pick("AUTH_BASE");
  const cacheDir = pick("AUTH_CACHE_DIR");
  const minTtl = pick("AUTH_MIN_TTL_SEC");
  const sessionPath = pick("AUTH_SESSION_PATH");
  const timeout = pick("AUTH_TIMEOUT_MS");
  if (!clientKey) return undefined;
  if (authBase !== undefined && !validAuthBase(authBase)) return undefined;
  if (cacheDir?.includes("\0")) return undefined;
  if (minTtl !== undefined && !integerIn(minTtl, CONFIG_LIMITS.minTtlSec)) return undefined;
  if (sessionPath !== undefined && !/^\/(?!\/)\S*$/.test(sessionPath)) return undefined;
  if (timeout !== undefined && !integerIn(timeout, CONFIG_LIMITS.timeoutMs)) return undefined;
  return {
    authBase: (authBase ?? CONFIG_DEFAULTS.authBase).replace(/\/+$/, ""),
    clientKey,
    cacheDir: (cacheDir ?? CONFIG_DEFAULTS.cacheDir).replace(/(.)\/+$/, "$1"),
    minTtlSec: minTtl === undefined ? CONFIG_DEFAULTS.minTtlSec : Number(minTtl),
    maxTtlSec: CONFIG_DEFAULTS.maxTtlSec,
  };
}
