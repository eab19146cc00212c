/**
 * The configuration's plain rules, applied without loading the runtime (zod, dotenv): its
 * defaults, limits and checks (the runtime's schema is built on the same predicates), and the
 * whole decision for a start-up path such as the CLI's warm `token` ({@link plainConfig}).
 * Imports only the .env files' rules and the cache-file contract, which import nothing.
 */

import { DEFAULT_MAX_TTL_SEC } from "../cache/cache-file.ts";
import { type EnvSource, layeredReader } from "./env-file.ts";

/** Defaults of the configuration, in one place (docs/configuration.md). */
export const CONFIG_DEFAULTS: {
  readonly authBase: string;
  readonly cacheDir: string;
  readonly minTtlSec: number;
  readonly sessionPath: string;
  readonly timeoutMs: number;
  readonly maxTtlSec: number;
} = Object.freeze({
  authBase: "https://api-gw-test.yuanwei-lnc.com",
  cacheDir: "/tmp/skill-auth-cache",
  minTtlSec: 60,
  sessionPath: "/auth/session",
  timeoutMs: 10_000,
  maxTtlSec: DEFAULT_MAX_TTL_SEC,
});

/** Inclusive bounds of the integer variables. */
export const CONFIG_LIMITS: {
  readonly [field in "minTtlSec" | "timeoutMs" | "maxTtlSec"]: {
    readonly min: number;
    readonly max: number;
  };
} = Object.freeze({
  minTtlSec: { min: 0, max: 86_400 },
  timeoutMs: { min: 1, max: 600_000 },
  /** A year: a longer cap would not bound anything a token should live. */
  maxTtlSec: { min: 1, max: 31_536_000 },
});

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"]);

/**
 * True for a literal loopback address (127.0.0.0/8, ::1) or exactly `localhost`: the only hosts
 * plain http may carry a token or the key to. Not `*.localhost`: Node resolves those through DNS
 * and the hosts file, so such a name may point anywhere. One rule for both runtimes.
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

// ---- The rules, one predicate each ------------------------------------------------------------
// config.ts builds its zod schemas from these, and plainConfig below uses them as they are, so a
// start-up path and the runtime cannot disagree about a value.

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const isHttpProtocol = (url: URL | undefined): url is URL =>
  url?.protocol === "http:" || url?.protocol === "https:";

/** An absolute `http:` or `https:` URL. */
export function isAbsoluteHttpUrl(text: string): boolean {
  return isHttpProtocol(tryUrl(text));
}

/** No `user:password@` in the URL (text that is no URL has none). */
export function hasNoUrlCredentials(text: string): boolean {
  const url = tryUrl(text);
  return !url?.username && !url?.password;
}

/** No `?query` and no `#fragment` in the URL (text that is no URL has none). */
export function hasNoQueryOrFragment(text: string): boolean {
  const url = tryUrl(text);
  return !url?.search && !url?.hash;
}

/** No `#fragment` (RFC 6749 §3.2: a token endpoint has none; RFC 8707: nor has a resource). */
export const hasNoFragment = (text: string): boolean => !text.includes("#");

/** AUTH_TOKEN_URL: an absolute http(s) URL, or a path on AUTH_BASE starting with a single `/`. */
export const isTokenUrl = (text: string): boolean => isAbsoluteHttpUrl(text) || isSessionPath(text);

/**
 * A PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), the form WebCrypto imports; a
 * `\n` written literally (one-line environment variables) stands for a line break.
 */
export const isPkcs8Pem = (text: string): boolean =>
  /^-----BEGIN PRIVATE KEY-----\s+[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----$/.test(
    text.replaceAll("\\n", "\n").trim(),
  );

/**
 * `https:`, or plain `http:` to a loopback host: the token request carries the client key, so it
 * goes in clear only where it never leaves the machine.
 */
export function isHttpsOrLoopback(text: string): boolean {
  const url = tryUrl(text);
  return url?.protocol === "https:" || (url !== undefined && isLoopbackHost(url.hostname));
}

/** AUTH_BASE's rules together: absolute http(s), no credentials, query or fragment, https or loopback. */
export function isAuthBase(text: string): boolean {
  return (
    isAbsoluteHttpUrl(text) &&
    hasNoUrlCredentials(text) &&
    hasNoQueryOrFragment(text) &&
    isHttpsOrLoopback(text)
  );
}

/** AUTH_BASE as used: without its trailing `/`, so equal bases give equal cache keys. */
export const normalizeAuthBase = (text: string): string => text.replace(/\/+$/, "");

/**
 * A path starting with a single `/` and without whitespace. A leading `//` would make the token
 * request protocol-relative: another host.
 */
export const isSessionPath = (text: string): boolean => /^\/(?!\/)\S*$/.test(text);

/** A path the file system can take: no NUL byte. */
export const isCacheDir = (text: string): boolean => !text.includes("\0");

/**
 * A path whose `~` the runtime can expand: no leading `~user` (only `~` and `~/…`, the home dir,
 * are; looking another user's home up is the shell's job, and a guess would put the cache in the
 * wrong place).
 */
export const hasNoUserTilde = (text: string): boolean => !/^~[^/]/.test(text);

/** What a path setting's message says of `~` (the rule {@link hasNoUserTilde} checks). */
export const TILDE_RULE = "may start with ~ or ~/ (the home dir) only: ~user is not expanded";

/**
 * A path setting as used: a leading `~` or `~/` is `home` (a `.env` file is not a shell, so
 * `AUTH_CACHE_DIR=~/.cache/x` would otherwise name a dir called `~` in the working dir); any
 * other path is returned as it is (a relative one stays relative to the working dir). Undefined
 * when the path needs a home and `home` is unset or blank.
 */
export function expandHome(path: string, home: string | undefined): string | undefined {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const dir = home?.trim();
  if (!dir) return undefined;
  return path === "~" ? dir : `${dir.replace(/\/+$/, "")}${path.slice(1)}`;
}

/**
 * A boolean variable's text (`AUTH_DEBUG`): `1`, `true`, `yes`, `on` and `0`, `false`, `no`,
 * `off`, in any case, surrounding white space ignored; undefined for anything else, which the
 * runtime refuses ({@link BOOLEAN_RULE}) rather than reading it as off.
 */
export function booleanFromText(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (word === "1" || word === "true" || word === "yes" || word === "on") return true;
  if (word === "0" || word === "false" || word === "no" || word === "off") return false;
  return undefined;
}

/** What a boolean variable's message says after its name. */
export const BOOLEAN_RULE =
  "must be 1, true, yes or on (on), or 0, false, no or off (off), in any case";

/** The cache dir as used: without trailing `/` (but `/` stays `/`). */
export const normalizeCacheDir = (text: string): string => text.replace(/(.)\/+$/, "$1");

/** An integer within `limits` (inclusive). */
export function isIntegerIn(value: number, limits: { min: number; max: number }): boolean {
  return Number.isSafeInteger(value) && value >= limits.min && value <= limits.max;
}

/** Decimal digits only, as a number; anything else (`-1`, `1.5`, `1e3`, ` 7`) is NaN. */
export const integerFromText = (text: string): number => (/^\d+$/.test(text) ? Number(text) : NaN);

/** `scheme://host[:port]` of http(s), with at most a trailing `/`, and no credentials. */
export function isHttpOrigin(text: string): boolean {
  const url = tryUrl(text);
  return isHttpProtocol(url) && url.origin === text.replace(/\/$/, "") && hasNoUrlCredentials(text);
}

/** A `redis://` or `rediss://` URL with a host. */
export function isRedisUrl(text: string): boolean {
  const url = tryUrl(text);
  return (url?.protocol === "redis:" || url?.protocol === "rediss:") && url.hostname !== "";
}

/** The items of a comma-separated list, trimmed, without empty ones. */
export const splitList = (text: string): string[] =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");

/**
 * A variable of the configuration's families, `AUTH_*` and `CLIENT_*` (any case, letters, digits
 * and `_`, at most 64 characters): the runtime warns about one its table does not have (a typo
 * such as `AUTH_BSAE` would otherwise be ignored in silence, and the key sent to the default
 * gateway). A name of other characters is no typo of a setting, and is never printed.
 */
export const isConfigFamilyName = (name: string): boolean =>
  /^(?:auth|client)_[a-z0-9_]{0,57}$/i.test(name);

/**
 * The variables {@link plainConfig} reads and decides on: the table's rows marked `plain`
 * (config/table.ts, which this module cannot import: test/config-table.test.ts holds the two
 * lists to it).
 */
export const PLAIN_CONFIG_READS: ReadonlySet<string> = new Set([
  "CLIENT_KEY",
  "AUTH_BASE",
  "AUTH_CACHE_DIR",
  "AUTH_SESSION_PATH",
  "AUTH_MIN_TTL_SEC",
  "AUTH_MAX_TTL_SEC",
  "AUTH_TIMEOUT_MS",
]);

/**
 * {@link plainConfig} over `sources` (first wins, as {@link layeredReader}), deferring as well
 * when any source sets an `AUTH_*`/`CLIENT_*` variable it does not read: one of the
 * {@link PLAIN_CONFIG_DEFERS}, or a name the runtime does not know and warns about. So a start-up
 * path never serves silently where the runtime would have said something.
 *
 * @example
 * const config = plainConfigOf([process.env, parsePlainEnv(text) ?? {}], process.env.HOME);
 */
export function plainConfigOf(
  sources: readonly EnvSource[],
  home?: string,
): PlainConfig | undefined {
  for (const source of sources) {
    for (const name in source) {
      if (isConfigFamilyName(name) && !PLAIN_CONFIG_READS.has(name) && source[name]?.trim()) {
        return undefined;
      }
    }
  }
  return plainConfig(layeredReader(...sources), home);
}

/** The part of the configuration {@link plainConfig} decides on its own. */
export interface PlainConfig {
  readonly authBase: string;
  readonly clientKey: string;
  readonly cacheDir: string;
  readonly minTtlSec: number;
  readonly maxTtlSec: number;
}

/**
 * Variables plainConfig leaves to the runtime whenever one is set: the ones it does not check
 * (they change where the token may go, or the cache), debug output (the runtime prints an
 * event), and the client_credentials grant's variables (another cache key). Every row of the
 * table not marked `plain` (test/config-table.test.ts).
 */
export const PLAIN_CONFIG_DEFERS: readonly string[] = Object.freeze([
  "AUTH_ALLOWED_ORIGINS",
  "AUTH_REDIS_URL",
  "AUTH_DEBUG",
  "AUTH_GRANT",
  "AUTH_TOKEN_URL",
  "AUTH_ISSUER",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_AUTH",
  "AUTH_SCOPE",
  "AUTH_AUDIENCE",
  "AUTH_RESOURCE",
]);

/**
 * The configuration by the runtime's rules without loading the runtime (zod, dotenv), for a
 * start-up path such as the CLI's warm `token`: the config when every variable set is one
 * checked here and is valid, else undefined (the runtime then validates and reports). It is
 * never different from the runtime's: it decides or it defers.
 *
 * @param read a variable's value as the runtime picks it (see {@link layeredReader}); blank
 *   counts as unset.
 * @param home the environment's `HOME`, for a cache dir of `~/…`; without it such a dir defers.
 * @example
 * const config = plainConfig(layeredReader(process.env, parsePlainEnv(text) ?? {}), process.env.HOME);
 */
export function plainConfig(
  read: (name: string) => string | undefined,
  home?: string,
): PlainConfig | undefined {
  const get = (name: string) => read(name)?.trim() || undefined;
  if (PLAIN_CONFIG_DEFERS.some((name) => get(name) !== undefined)) return undefined;
  const clientKey = get("CLIENT_KEY");
  const authBase = get("AUTH_BASE") ?? CONFIG_DEFAULTS.authBase;
  const cacheDirText = get("AUTH_CACHE_DIR") ?? CONFIG_DEFAULTS.cacheDir;
  const cacheDir = hasNoUserTilde(cacheDirText) ? expandHome(cacheDirText, home) : undefined;
  const sessionPath = get("AUTH_SESSION_PATH") ?? CONFIG_DEFAULTS.sessionPath;
  const integer = (name: string, field: keyof typeof CONFIG_LIMITS) => {
    const text = get(name);
    const value = text === undefined ? CONFIG_DEFAULTS[field] : integerFromText(text);
    return isIntegerIn(value, CONFIG_LIMITS[field]) ? value : undefined;
  };
  const minTtlSec = integer("AUTH_MIN_TTL_SEC", "minTtlSec");
  const maxTtlSec = integer("AUTH_MAX_TTL_SEC", "maxTtlSec");
  const timeoutMs = integer("AUTH_TIMEOUT_MS", "timeoutMs");
  if (
    !clientKey ||
    !isAuthBase(authBase) ||
    cacheDir === undefined ||
    !isCacheDir(cacheDir) ||
    !isSessionPath(sessionPath) ||
    minTtlSec === undefined ||
    maxTtlSec === undefined ||
    timeoutMs === undefined
  ) {
    return undefined;
  }
  return {
    authBase: normalizeAuthBase(authBase),
    clientKey,
    cacheDir: normalizeCacheDir(cacheDir),
    minTtlSec,
    maxTtlSec,
  };
}
