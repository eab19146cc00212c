/** Configuration from environment variables (and a `.env` file), validated once and frozen. */
import { parse as parseDotenv } from "dotenv";
import * as z from "zod/mini";
import { CONFIG_DEFAULTS, CONFIG_LIMITS, isLoopbackHost } from "./config-rules.ts";
import { ConfigError } from "./errors.ts";
import type { Platform } from "./platform.ts";

/** The validated configuration every runtime function takes. */
export interface EnvConfig {
  /** Gateway base URL, without a trailing `/`. */
  readonly authBase: string;
  /** The secret traded for tokens. Redacted from `JSON.stringify` and `console.log`. */
  readonly clientKey: string;
  /** Directory of the shared token cache files. */
  readonly cacheDir: string;
  /** A cached token is served only while more than this many seconds remain. */
  readonly minTtlSec: number;
  /** Path on `authBase` of the token request. */
  readonly sessionPath: string;
  /** Timeout of each HTTP attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** Origins besides `authBase`'s that may receive the token. */
  readonly allowedOrigins: readonly string[];
  /** No token is cached for longer than this many seconds, whatever the gateway says. */
  readonly maxTtlSec: number;
  /** `redis://` URL of a shared fleet cache, when one is configured. */
  readonly redisUrl: string | undefined;
  /** Where `clientKey` came from: the process environment or the `.env` file. */
  readonly clientKeySource: "env" | "env-file";
}

/** Options of {@link createEnvConfig}. */
export interface EnvConfigOptions {
  /**
   * `.env` file read for variables the environment does not set; `false` reads none.
   * @default ".env"
   */
  envFile?: string | false;
}

type Env = Readonly<Record<string, string | undefined>>;

const CLIENT_KEY_REQUIRED = "CLIENT_KEY is required: set it in the environment or in the .env file";

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const isHttp = (url: URL | undefined): url is URL =>
  url?.protocol === "http:" || url?.protocol === "https:";
const hasCredentials = (value: string) =>
  Boolean(tryUrl(value)?.username || tryUrl(value)?.password);

/** An absolute http(s) URL without credentials; `what` finishes the rule in the message. */
function httpUrlText(variable: string) {
  return z.string().check(
    z.refine((v) => isHttp(tryUrl(v)), `${variable} must be an absolute http(s) URL`),
    z.refine(
      (v) => !hasCredentials(v),
      `${variable} must not contain credentials (user:password@)`,
    ),
  );
}

function integerText(variable: string, { min, max }: { min: number; max: number }) {
  const rule = `${variable} must be an integer from ${min} to ${max}`;
  return z.string().check(
    z.regex(/^\d+$/, rule),
    z.refine((v) => Number(v) >= min && Number(v) <= max, rule),
  );
}

const splitList = (value: string) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");

/** The raw variables and their rules; absent means "use the default". */
const EnvVariablesSchema = z.object({
  CLIENT_KEY: z.string(),
  AUTH_BASE: z.optional(
    httpUrlText("AUTH_BASE").check(
      z.refine(
        (v) => !tryUrl(v)?.search && !tryUrl(v)?.hash,
        "AUTH_BASE must not have a query string or fragment",
      ),
      // The token request carries the client key: plain http only where it never leaves the host.
      z.refine(
        (v) => tryUrl(v)?.protocol === "https:" || isLoopbackHost(tryUrl(v)?.hostname ?? ""),
        "AUTH_BASE must use https (plain http is allowed only for loopback hosts)",
      ),
    ),
  ),
  AUTH_CACHE_DIR: z.optional(
    z.string().check(z.refine((v) => !v.includes("\0"), "AUTH_CACHE_DIR must be a path")),
  ),
  AUTH_MIN_TTL_SEC: z.optional(integerText("AUTH_MIN_TTL_SEC", CONFIG_LIMITS.minTtlSec)),
  // A leading "//" would make the token request protocol-relative: another host.
  AUTH_SESSION_PATH: z.optional(
    z
      .string()
      .check(
        z.regex(/^\/(?!\/)\S*$/, "AUTH_SESSION_PATH must be a path starting with a single '/'"),
      ),
  ),
  AUTH_TIMEOUT_MS: z.optional(integerText("AUTH_TIMEOUT_MS", CONFIG_LIMITS.timeoutMs)),
  AUTH_MAX_TTL_SEC: z.optional(integerText("AUTH_MAX_TTL_SEC", CONFIG_LIMITS.maxTtlSec)),
  AUTH_ALLOWED_ORIGINS: z.optional(
    z.string().check(
      z.refine(
        (v) =>
          splitList(v).every((part) => {
            const url = tryUrl(part);
            return isHttp(url) && url.origin === part.replace(/\/$/, "") && !hasCredentials(part);
          }),
        "AUTH_ALLOWED_ORIGINS must list http(s) origins only (scheme://host[:port]), comma-separated",
      ),
    ),
  ),
  AUTH_REDIS_URL: z.optional(
    z.string().check(
      z.refine((v) => {
        const url = tryUrl(v);
        return (url?.protocol === "redis:" || url?.protocol === "rediss:") && url.hostname !== "";
      }, "AUTH_REDIS_URL must be a redis:// or rediss:// URL"),
    ),
  ),
});

/** Keeps the client key out of `JSON.stringify`, `console.log` and `util.inspect`. */
function redactClientKey(config: EnvConfig): EnvConfig {
  const redacted = () => ({ ...config, clientKey: "[redacted]" });
  Object.defineProperty(config, "toJSON", { value: redacted });
  Object.defineProperty(config, Symbol.for("nodejs.util.inspect.custom"), { value: redacted });
  return Object.freeze(config);
}

function readEnvFile(platform: Platform, envFile: string | false): Env {
  if (envFile === false) return {};
  let text: string | undefined;
  try {
    text = platform.readTextFileSync(envFile);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "error";
    throw new ConfigError(`Cannot read the .env file ${envFile} (${code})`, { cause: error });
  }
  return text === undefined ? {} : parseDotenv(text);
}

/** Treats unset and blank alike: `CLIENT_KEY=` in a shell should fall through to `.env`. */
function pick(env: Env, fileEnv: Env, name: string): [string | undefined, "env" | "env-file"] {
  const fromEnv = env[name]?.trim();
  if (fromEnv) return [fromEnv, "env"];
  const fromFile = fileEnv[name]?.trim();
  return [fromFile || undefined, "env-file"];
}

/** Builds {@link EnvConfig} from `env` (then `.env`), throwing {@link ConfigError} on a bad value. */
export function createEnvConfigWith(
  platform: Platform,
  env: Env,
  options: EnvConfigOptions = {},
): EnvConfig {
  const fileEnv = readEnvFile(platform, options.envFile ?? ".env");
  const [clientKey, clientKeySource] = pick(env, fileEnv, "CLIENT_KEY");
  if (!clientKey) throw new ConfigError(CLIENT_KEY_REQUIRED);
  const raw: Record<string, string | undefined> = { CLIENT_KEY: clientKey };
  for (const name of Object.keys(EnvVariablesSchema.shape)) {
    if (name !== "CLIENT_KEY") raw[name] = pick(env, fileEnv, name)[0];
  }
  const parsed = EnvVariablesSchema.safeParse(raw, { reportInput: false });
  if (!parsed.success) {
    // Rule messages name the variable and never carry its value.
    throw new ConfigError(parsed.error.issues[0]?.message ?? "Invalid configuration");
  }
  const v = parsed.data;
  const config: EnvConfig = {
    authBase: (v.AUTH_BASE ?? CONFIG_DEFAULTS.authBase).replace(/\/+$/, ""),
    clientKey,
    cacheDir: (v.AUTH_CACHE_DIR ?? CONFIG_DEFAULTS.cacheDir).replace(/(.)\/+$/, "$1"),
    minTtlSec:
      v.AUTH_MIN_TTL_SEC === undefined ? CONFIG_DEFAULTS.minTtlSec : Number(v.AUTH_MIN_TTL_SEC),
    sessionPath: v.AUTH_SESSION_PATH ?? CONFIG_DEFAULTS.sessionPath,
    timeoutMs:
      v.AUTH_TIMEOUT_MS === undefined ? CONFIG_DEFAULTS.timeoutMs : Number(v.AUTH_TIMEOUT_MS),
    maxTtlSec:
      v.AUTH_MAX_TTL_SEC === undefined ? CONFIG_DEFAULTS.maxTtlSec : Number(v.AUTH_MAX_TTL_SEC),
    allowedOrigins: Object.freeze(
      splitList(v.AUTH_ALLOWED_ORIGINS ?? "").map((origin) => new URL(origin).origin),
    ),
    redisUrl: v.AUTH_REDIS_URL,
    clientKeySource,
  };
  return redactClientKey(config);
}

/** `CLIENT_KEY` from the environment, else from the `.env` file at `envPath`. */
export function loadClientKeyFromEnvWith(platform: Platform, env: Env, envPath = ".env"): string {
  const [clientKey] = pick(env, readEnvFile(platform, envPath), "CLIENT_KEY");
  if (!clientKey) throw new ConfigError(CLIENT_KEY_REQUIRED);
  return clientKey;
}
