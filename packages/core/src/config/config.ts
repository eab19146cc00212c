/**
 * The configuration, from environment variables (and a `.env` file) or from an options object,
 * validated once and frozen.
 *
 * One table ({@link CONFIG_VARIABLES}) holds each setting: its variable, its field, its default,
 * how its text is read, its rules and its doc line. The zod schema of the environment, the zod
 * schema of the options, the defaults and the error messages are all built from it, and the
 * types below are checked against it, so a setting is written once. The rules themselves are the
 * predicates of cache.ts, which start-up paths call without loading zod.
 *
 * Loading: zod costs a fresh Bun process ~30 ms and dotenv ~10 ms, more than the rest of a warm
 * token. So the table's rules are first applied as they are (the plain pass: the same predicates
 * the schemas run); only a value they refuse, or an option that is not the table's, loads the
 * zod schemas (config-schema.ts), which decide and word the error as always. A `.env` file whose
 * lines are all plain (cache.ts's parsePlainEnv) is read without dotenv. docs/configuration.md.
 *
 * Layers (env-layers.ts): the environment, then the `.env` file (or the one named), then, in a
 * skill's folder, the skills dir's `_shared/.env`; each variable's source is kept in the config.
 */

import { ConfigError } from "../errors/errors.ts";
import { redactKnown, rememberSecret } from "../errors/redact.ts";
import type { Platform } from "../platform/platform.ts";
import { DEFAULT_ENV_FILE, type EnvSource } from "./env-file.ts";
import {
  type ConfigSource,
  type ConfigSources,
  type Layer,
  layeredValue,
  layersOf,
  sourcesOf,
} from "./env-layers.ts";
import {
  BOOLEAN_RULE,
  booleanFromText,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  expandHome,
  hasNoFragment,
  hasNoQueryOrFragment,
  hasNoUrlCredentials,
  hasNoUserTilde,
  integerFromText,
  isAbsoluteHttpUrl,
  isCacheDir,
  isHttpOrigin,
  isHttpsOrLoopback,
  isIntegerIn,
  isPkcs8Pem,
  isRedisUrl,
  isSessionPath,
  isTokenUrl,
  normalizeAuthBase,
  normalizeCacheDir,
  splitList,
  TILDE_RULE,
} from "./rules.ts";
import { unknownVariablesWarning } from "./unknown-variables.ts";

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
  /** `AUTH_DEBUG=1` (or `true`, `yes`, `on`): every event of the runtime is printed, one redacted line each, on stderr. */
  readonly debug: boolean;
  /** `redis://` URL of a shared fleet cache, when one is configured. */
  readonly redisUrl: string | undefined;
  /** The token request's protocol: the gateway's session request, or OAuth 2.0 client_credentials. */
  readonly grant: Grant;
  /** client_credentials: the token endpoint, an absolute URL or a path on `authBase`. */
  readonly tokenUrl: string | undefined;
  /** client_credentials without `tokenUrl`: the issuer whose metadata names the token endpoint. */
  readonly issuer: string | undefined;
  /** client_credentials: the OAuth client id. */
  readonly clientId: string | undefined;
  /** client_credentials: how the client authenticates (`clientKey` is the secret or the PEM key). */
  readonly clientAuth: ClientAuthMethod;
  /** client_credentials: `scope` of the token request. */
  readonly scope: string | undefined;
  /** client_credentials: `audience` of the token request (Auth0 and others). */
  readonly audience: string | undefined;
  /** client_credentials: `resource` of the token request (RFC 8707). */
  readonly resource: string | undefined;
  /**
   * Where `clientKey` came from: the process environment, the `.env` file, a skills folder's
   * shared `_shared/.env`, or the options of {@link createConfigWith | createConfig}.
   */
  readonly clientKeySource: "env" | "env-file" | "shared-env-file" | "options";
  /**
   * Where each variable of the table came from, by variable name (`CLIENT_KEY`, `AUTH_BASE`, …):
   * what `doctor` shows. Names and paths only, never a value.
   */
  readonly sources: ConfigSources;
}

export type { ConfigSource, ConfigSources } from "./env-layers.ts";

/**
 * Options of `createConfig`: the settings of the environment table as typed fields. Each has
 * the rule and the default of its variable; as in the environment, surrounding whitespace is
 * dropped and a blank string counts as unset.
 */
export interface ConfigOptions {
  /**
   * Gateway base URL: absolute http(s), no credentials, query or fragment; https unless the
   * host is loopback. A trailing `/` is removed.
   * @default "https://api-gw-test.yuanwei-lnc.com"
   */
  readonly authBase?: string;
  /** The secret traded for tokens (required, non-blank). */
  readonly clientKey: string;
  /**
   * Directory of the shared token cache files. A leading `~` or `~/` is the home dir (`HOME`);
   * `~user` is refused; a relative path is relative to the working directory.
   * @default "/tmp/skill-auth-cache"
   */
  readonly cacheDir?: string;
  /**
   * A cached token is served only while more than this many seconds remain (integer 0..86400).
   * @default 60
   */
  readonly minTtlSec?: number;
  /**
   * Path on `authBase` of the token request, starting with a single `/`.
   * @default "/auth/session"
   */
  readonly sessionPath?: string;
  /**
   * Timeout of each HTTP attempt, in milliseconds (integer 1..600000).
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Origins (`scheme://host[:port]`) besides `authBase`'s that may receive the token.
   * @default []
   */
  readonly allowedOrigins?: readonly string[];
  /** `redis://` or `rediss://` URL of a shared fleet cache; none by default. */
  readonly redisUrl?: string;
  /**
   * No token is cached for longer than this many seconds, whatever the gateway says (integer
   * 1..31536000).
   * @default 86400
   */
  readonly maxTtlSec?: number;
  /** Print every event of the runtime on stderr, one line each (`AUTH_DEBUG=1`). @default false */
  readonly debug?: boolean;
  /**
   * The token request's protocol: `"session"` (the gateway's `POST {authBase}{sessionPath}`) or
   * `"client_credentials"` (OAuth 2.0, RFC 6749 §4.4; then `clientKey` is the client secret, or
   * the PKCS#8 PEM private key for `private_key_jwt`).
   * @default "session"
   * @example
   * createConfig({ grant: "client_credentials", clientId: "svc", clientKey: secret,
   *   tokenUrl: "https://idp.example.com/oauth2/token", authBase: "https://api.example.com" });
   */
  readonly grant?: Grant;
  /**
   * client_credentials: the token endpoint, an absolute https URL (http only to loopback) or a
   * path on `authBase`. Either this or `issuer`.
   */
  readonly tokenUrl?: string;
  /** client_credentials without `tokenUrl`: the issuer whose metadata (RFC 8414, then OpenID discovery) names the token endpoint. */
  readonly issuer?: string;
  /** client_credentials: the OAuth client id (required for that grant). */
  readonly clientId?: string;
  /**
   * client_credentials: how the client authenticates.
   * @default "client_secret_basic"
   */
  readonly clientAuth?: ClientAuthMethod;
  /** client_credentials: `scope` sent with the token request (space-separated). */
  readonly scope?: string;
  /** client_credentials: `audience` sent with the token request (Auth0 and others). */
  readonly audience?: string;
  /** client_credentials: `resource` sent with the token request (RFC 8707 resource indicator). */
  readonly resource?: string;
}

/** The token request's protocol (`AUTH_GRANT`). */
export type Grant = "session" | "client_credentials";
/** How a client_credentials client authenticates (`AUTH_CLIENT_AUTH`). */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

const GRANTS: readonly Grant[] = ["session", "client_credentials"];
const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
];

/** Options of `createEnvConfig`. */
export interface EnvConfigOptions {
  /**
   * `.env` file read for variables the environment does not set; `false` reads none. The
   * default `.env` may be missing; any other file given here must exist.
   * @default ".env"
   */
  envFile?: string | false;
  /**
   * Told the warning about `AUTH_*`/`CLIENT_*` variables the table does not have (a typo such as
   * `AUTH_BSAE`, with the name meant): names and where they were set, never a value. The runtime
   * says a warning once per process; it is also a `config.warning` event (docs/events.md). Any
   * secret the process knows (a key pasted into a variable's name) is `[redacted]` in it.
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/** @internal A setting's field: a key of {@link ConfigOptions}. */
export type Field = keyof ConfigOptions;
/** @internal */
export type Value<K extends Field> = Exclude<ConfigOptions[K], undefined>;
type Values = { -readonly [K in Field]?: Value<K> };

/** One rule of a setting: the predicate, and what the message says after the name. */
export interface Rule<T> {
  readonly test: (value: T) => boolean;
  readonly says: string;
}

/** One setting: a row of the configuration table. */
export interface Variable<T, D extends T | undefined = T | undefined> {
  /** The environment variable. */
  readonly name: string;
  /** One line for docs and tools. */
  readonly doc: string;
  /** Used when the setting is unset; undefined: none (or required). */
  readonly default: D;
  readonly required?: true;
  /** What an option value must be, for the message when it is not (`a string`). */
  readonly type: string;
  readonly is: (value: unknown) => value is T;
  /** The variable's text as an option value; a value its rules refuse when it cannot be read. */
  readonly fromText: (text: string) => T;
  readonly rules: readonly Rule<T>[];
  /** The valid value as the config holds it. */
  readonly normalize?: (value: T) => T;
  /**
   * True for a file system path: a leading `~` or `~/` is the home dir (`HOME`), from the
   * environment, a `.env` file or an option alike (cache.ts's expandHome).
   */
  readonly path?: true;
  /**
   * True for a setting that only requests read, each from the config that made it (never from
   * a config it shares a token manager with); whatever the token manager takes from it is in the
   * cache key. Configs that differ only in such settings may share a manager, its token and its
   * token request. Unset (every other setting): the manager reads it, so configs that differ in
   * it never share one. A new setting is thus kept apart until it is marked.
   */
  readonly perRequest?: true;
}

const isString = (value: unknown): value is string => typeof value === "string";
const isNumber = (value: unknown): value is number => typeof value === "number";
const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every(isString);
const same = (text: string) => text;
const NO_ORIGINS: readonly string[] = Object.freeze([]);

type IntegerField = keyof typeof CONFIG_LIMITS;

function integer(field: IntegerField, name: string, doc: string): Variable<number, number> {
  const limits = CONFIG_LIMITS[field];
  return {
    name,
    doc,
    default: CONFIG_DEFAULTS[field],
    type: "an integer",
    is: isNumber,
    fromText: integerFromText,
    rules: [
      {
        test: (value) => isIntegerIn(value, limits),
        says: `must be an integer from ${limits.min} to ${limits.max}`,
      },
    ],
  };
}

/** A free-form text setting without default. */
function text(name: string, doc: string): Variable<string, undefined> {
  return {
    name,
    doc,
    default: undefined,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [],
  };
}

const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/**
 * A switch: the variable's `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (cache.ts's
 * booleanFromText, the one rule the runtime's AUTH_DEBUG check shares), any other text refused
 * rather than read as off; as an option, a boolean.
 */
function flag(name: string, doc: string): Variable<boolean, boolean> {
  return {
    name,
    doc,
    default: false,
    type: "a boolean",
    is: isBoolean,
    // Text that is no spelling of a boolean is refused by the rule: undefined stands for it.
    fromText: (text) => booleanFromText(text) as boolean,
    rules: [{ test: isBoolean, says: BOOLEAN_RULE }],
  };
}

/** A setting that is one of `values`, the first its default. */
function oneOf<T extends string>(name: string, doc: string, values: readonly T[]): Variable<T, T> {
  const is = (value: unknown): value is T => values.some((v) => v === value);
  return {
    name,
    doc,
    default: values[0] as T,
    type: values.map((v) => JSON.stringify(v)).join(" or "),
    is,
    // Text that is none of the values is refused by the rule, whatever is returned here.
    fromText: (text) => (is(text) ? text : ("" as T)),
    rules: [{ test: is, says: `must be one of ${values.join(", ")}` }],
  };
}

/**
 * What a server's URL must be (AUTH_BASE, AUTH_ISSUER): the key goes there, so plain http only
 * where it never leaves the host, and nothing in the URL that could carry or hide a secret.
 */
const SERVER_URL_RULES: readonly Rule<string>[] = [
  { test: isAbsoluteHttpUrl, says: "must be an absolute http(s) URL" },
  { test: hasNoUrlCredentials, says: "must not contain credentials (user:password@)" },
  { test: hasNoQueryOrFragment, says: "must not have a query string or fragment" },
  {
    test: isHttpsOrLoopback,
    says: "must use https (plain http is allowed only for loopback hosts)",
  },
];

/**
 * The configuration table, in the order of the docs. README.md's table is tested against it
 * (test/config.test.ts), so the docs cannot drift from it.
 */
const VARIABLES = {
  authBase: {
    name: "AUTH_BASE",
    doc: "gateway base URL; trailing `/` removed",
    default: CONFIG_DEFAULTS.authBase,
    type: "a string",
    is: isString,
    fromText: same,
    rules: SERVER_URL_RULES,
    normalize: normalizeAuthBase,
    // The token request goes to it only through the token endpoint, which the cache key holds.
    perRequest: true,
  },
  clientKey: {
    name: "CLIENT_KEY",
    doc: "the secret traded for tokens; from the environment, else the `.env` file",
    default: undefined,
    required: true,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [],
  },
  cacheDir: {
    name: "AUTH_CACHE_DIR",
    doc: "directory of the token cache files",
    default: CONFIG_DEFAULTS.cacheDir,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [
      { test: isCacheDir, says: "must be a path" },
      { test: hasNoUserTilde, says: TILDE_RULE },
    ],
    normalize: normalizeCacheDir,
    path: true,
  },
  minTtlSec: integer(
    "minTtlSec",
    "AUTH_MIN_TTL_SEC",
    "a cached token is served only while more than this many seconds remain",
  ),
  sessionPath: {
    name: "AUTH_SESSION_PATH",
    doc: "path on the base URL of the token request",
    default: CONFIG_DEFAULTS.sessionPath,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [{ test: isSessionPath, says: "must be a path starting with a single '/'" }],
  },
  timeoutMs: integer("timeoutMs", "AUTH_TIMEOUT_MS", "timeout of each HTTP attempt, in ms"),
  allowedOrigins: {
    name: "AUTH_ALLOWED_ORIGINS",
    doc: "comma-separated origins besides the base URL's that may receive the token",
    default: NO_ORIGINS,
    type: "a list of strings",
    is: isStringList,
    fromText: splitList,
    rules: [
      {
        test: (origins) => origins.every(isHttpOrigin),
        says: "must list http(s) origins only (scheme://host[:port]), comma-separated",
      },
    ],
    normalize: (origins) => Object.freeze(origins.map((origin) => new URL(origin).origin)),
    perRequest: true,
  },
  redisUrl: {
    name: "AUTH_REDIS_URL",
    doc: "URL of a shared fleet cache",
    default: undefined,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [{ test: isRedisUrl, says: "must be a redis:// or rediss:// URL" }],
  },
  maxTtlSec: integer(
    "maxTtlSec",
    "AUTH_MAX_TTL_SEC",
    "no token is cached for longer than this many seconds, whatever the gateway says",
  ),
  debug: flag(
    "AUTH_DEBUG",
    "`1` (or `true`, `yes`, `on`): one redacted line per event of the runtime on stderr",
  ),
  grant: oneOf("AUTH_GRANT", "the token request: `session` or `client_credentials`", GRANTS),
  tokenUrl: {
    name: "AUTH_TOKEN_URL",
    doc: "client_credentials: the token endpoint, an absolute URL or a path on the base URL",
    default: undefined,
    type: "a string",
    is: isString,
    fromText: same,
    rules: [
      {
        test: isTokenUrl,
        says: "must be an absolute http(s) URL or a path starting with a single '/'",
      },
      { test: hasNoUrlCredentials, says: "must not contain credentials (user:password@)" },
      { test: hasNoFragment, says: "must not have a fragment" },
      {
        test: (text) => text.startsWith("/") || isHttpsOrLoopback(text),
        says: "must use https (plain http is allowed only for loopback hosts)",
      },
    ],
  },
  issuer: {
    name: "AUTH_ISSUER",
    doc: "client_credentials without AUTH_TOKEN_URL: the issuer whose metadata names the token endpoint",
    default: undefined,
    type: "a string",
    is: isString,
    fromText: same,
    rules: SERVER_URL_RULES,
  },
  clientId: text("AUTH_CLIENT_ID", "client_credentials: the OAuth client id"),
  clientAuth: oneOf(
    "AUTH_CLIENT_AUTH",
    "client_credentials: `client_secret_basic`, `client_secret_post` or `private_key_jwt`",
    CLIENT_AUTH_METHODS,
  ),
  scope: text("AUTH_SCOPE", "client_credentials: `scope` of the token request"),
  audience: text("AUTH_AUDIENCE", "client_credentials: `audience` of the token request"),
  resource: {
    ...text("AUTH_RESOURCE", "client_credentials: `resource` of the token request (RFC 8707)"),
    rules: [
      { test: isAbsoluteHttpUrl, says: "must be an absolute http(s) URL (RFC 8707)" },
      { test: hasNoFragment, says: "must not have a fragment" },
    ],
  },
} satisfies { readonly [K in Field]: Variable<Value<K>> };

/**
 * The rule of AUTH_TOKEN_URL that an absolute `url` breaks, as its message words it, or undefined
 * when it may be a token endpoint. Discovery asks it of a `token_endpoint` an issuer names: a
 * discovered endpoint obeys exactly the rules of a configured one.
 */
export function brokenTokenUrlRule(url: string): string | undefined {
  return VARIABLES.tokenUrl.rules.find((rule) => !rule.test(url))?.says;
}

/** The table seen per field: what the generic helpers below (and config-schema.ts) index. */
export type ConfigTable = { readonly [K in Field]: Variable<Value<K>> };
const TABLE: ConfigTable = VARIABLES;
const FIELDS = Object.keys(TABLE) as readonly Field[];

// EnvConfig has exactly the table's fields (and where the key came from): a field added to one
// and not the other fails to compile.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fieldsMatch: Exactly<keyof EnvConfig, Field | "clientKeySource" | "sources"> = true;
void fieldsMatch;

/** A row of the configuration table, as docs and tools read it. */
export interface ConfigVariable {
  /** The environment variable, e.g. `AUTH_BASE`. */
  readonly name: string;
  /** The field of {@link EnvConfig} and {@link ConfigOptions}, e.g. `authBase`. */
  readonly field: Field;
  /** The default, or undefined when there is none (see `required`). */
  readonly default: string | number | boolean | undefined;
  /** True for the one setting without a default, `CLIENT_KEY`. */
  readonly required: boolean;
  /**
   * True when only requests read it, each from its own config (AUTH_BASE, AUTH_ALLOWED_ORIGINS):
   * configs that share a token and differ only in such settings share one token manager.
   */
  readonly perRequest: boolean;
  readonly doc: string;
}

/** The configuration table: every variable `createEnvConfig` reads, in the order of the docs. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze(
  FIELDS.map((field) => {
    const { name, doc, default: value, required, perRequest } = TABLE[field];
    return Object.freeze({
      name,
      field,
      // A list's default is empty: none.
      default: isString(value) || isNumber(value) || typeof value === "boolean" ? value : undefined,
      required: required === true,
      perRequest: perRequest === true,
      doc,
    });
  }),
);

/** The settings a token manager reads: every one of the table not marked `perRequest`. */
const MANAGER_FIELDS = FIELDS.filter((field) => TABLE[field].perRequest !== true);

/**
 * The values of every setting a token manager reads, in table order, as one text (it holds the
 * client key: hash it before keeping it). Two configs with the same cache key and the same text
 * may share a manager; a setting added to the table is in it unless marked `perRequest`.
 */
export function managerSettingsText(config: EnvConfig): string {
  return JSON.stringify(MANAGER_FIELDS.map((field) => config[field] ?? null));
}

// ---- Validation: the plain pass, then zod for what it refuses -------------------------------

/** True when the variable is unset or meets all its rules (what the env schema checks). */
function envTextIsPlain<K extends Field>(field: K, text: string | undefined): boolean {
  const { rules, fromText }: Variable<Value<K>> = TABLE[field];
  return text === undefined || rules.every((rule) => rule.test(fromText(text)));
}

/** True when the option is unset or of its type and meets all its rules (the options schema's checks). */
function optionIsPlain<K extends Field>(field: K, value: unknown): boolean {
  const { is, rules }: Variable<Value<K>> = TABLE[field];
  return value === undefined || (is(value) && rules.every((rule) => rule.test(value)));
}

const envIsPlain = (raw: Record<string, string | undefined>): boolean =>
  FIELDS.every((field) => envTextIsPlain(field, raw[TABLE[field].name]));

const optionsArePlain = (input: Record<string, unknown>): boolean =>
  Object.keys(input).every((key) => Object.hasOwn(TABLE, key)) &&
  FIELDS.every((field) => optionIsPlain(field, input[field]));

/**
 * CommonJS's `require`, which Bun provides in every module and the Node build's bundler turns
 * into its own loader; declared here because the runtime-neutral logic is typed without
 * either runtime's globals.
 */
declare const require: (id: string) => unknown;

let schemas: import("./config-schema.ts").ConfigSchemas | undefined;

/**
 * The zod schemas, loaded and built on first need. `require`, not `import()`: the config is made
 * synchronously. Bun loads the module from source on the spot; the Node build bundles it.
 */
function configSchemas(): import("./config-schema.ts").ConfigSchemas {
  const { buildConfigSchemas } =
    require("./config-schema.ts") as typeof import("./config-schema.ts");
  schemas ??= buildConfigSchemas(TABLE, FIELDS);
  return schemas;
}

// ---- Building the config --------------------------------------------------------------------

/** Keeps the client key out of `JSON.stringify`, `console.log` and `util.inspect`. */
function redactClientKey(config: EnvConfig): EnvConfig {
  const redacted = () => ({ ...config, clientKey: "[redacted]" });
  Object.defineProperty(config, "toJSON", { value: redacted });
  Object.defineProperty(config, Symbol.for("nodejs.util.inspect.custom"), { value: redacted });
  return Object.freeze(config);
}

/** Where put finds the home dir and how a message names a setting. */
interface Reading {
  readonly home: string | undefined;
  readonly name: (field: Field) => string;
}

function put<K extends Field>(
  values: Values,
  field: K,
  value: Value<K> | undefined,
  reading: Reading,
): void {
  if (value === undefined) return;
  const { normalize, path }: Variable<Value<K>> = TABLE[field];
  const used = path && isString(value) ? expandedPath(value, field, reading) : value;
  values[field] = normalize ? normalize(used) : used;
}

/** A path setting with its leading `~` or `~/` expanded; a ConfigError when no home is known. */
function expandedPath<T>(value: T & string, field: Field, reading: Reading): T {
  const expanded = expandHome(value, reading.home);
  if (expanded === undefined) {
    throw new ConfigError(`${reading.name(field)} starts with ~, but HOME is not set`);
  }
  return expanded as T;
}

/** The config of validated `values`, each unset one its default. */
function build(values: Values, clientKey: string, sources: ConfigSources): EnvConfig {
  // Every output that serves no one request (warnings, debug lines) redacts it from now on.
  rememberSecret(clientKey);
  const d = VARIABLES;
  return redactClientKey({
    authBase: values.authBase ?? d.authBase.default,
    clientKey,
    cacheDir: values.cacheDir ?? d.cacheDir.default,
    minTtlSec: values.minTtlSec ?? d.minTtlSec.default,
    sessionPath: values.sessionPath ?? d.sessionPath.default,
    timeoutMs: values.timeoutMs ?? d.timeoutMs.default,
    allowedOrigins: values.allowedOrigins ?? d.allowedOrigins.default,
    maxTtlSec: values.maxTtlSec ?? d.maxTtlSec.default,
    redisUrl: values.redisUrl ?? d.redisUrl.default,
    debug: values.debug ?? d.debug.default,
    grant: values.grant ?? d.grant.default,
    tokenUrl: values.tokenUrl,
    issuer: values.issuer,
    clientId: values.clientId,
    clientAuth: values.clientAuth ?? d.clientAuth.default,
    scope: values.scope,
    audience: values.audience,
    resource: values.resource,
    clientKeySource: sources.CLIENT_KEY?.kind as EnvConfig["clientKeySource"],
    sources,
  });
}

/**
 * The rules between settings of the client_credentials grant; `name` gives a field's name in
 * the messages (the variable or the option).
 */
function checkGrant(values: Values, clientKey: string, name: (field: Field) => string): void {
  if ((values.grant ?? "session") !== "client_credentials") return;
  if (values.clientId === undefined) {
    throw new ConfigError(
      `${name("clientId")} is required when ${name("grant")} is client_credentials`,
    );
  }
  if (values.tokenUrl === undefined && values.issuer === undefined) {
    throw new ConfigError(
      `${name("tokenUrl")} or ${name("issuer")} is required when ${name("grant")} is client_credentials`,
    );
  }
  if (values.clientAuth === "private_key_jwt" && !isPkcs8Pem(clientKey)) {
    throw new ConfigError(
      `${name("clientKey")} must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----") when ${name("clientAuth")} is private_key_jwt`,
    );
  }
}

const CLIENT_KEY_REQUIRED = "CLIENT_KEY is required: set it in the environment or in the .env file";

/** `CLIENT_KEY`, from the first layer that sets it. */
function clientKeyOf(layers: readonly Layer[]): string {
  const clientKey = layeredValue(layers)("CLIENT_KEY");
  if (clientKey === undefined) throw new ConfigError(CLIENT_KEY_REQUIRED);
  return clientKey;
}

/** The variables of the table, in its order. */
const NAMES = FIELDS.map((field) => TABLE[field].name);

/**
 * Builds {@link EnvConfig} from `env`, then the `.env` file, then (in a skill's folder) the
 * skills dir's shared `_shared/.env`, throwing {@link ConfigError} on a bad value or an env file
 * its rule refuses. The first source that sets a variable wins; a blank value counts as unset.
 * `AUTH_*`/`CLIENT_*` variables the table lacks are told to `options.onWarning` first (a typo
 * of CLIENT_KEY is said before CLIENT_KEY is found missing). A path's `~` is `env.HOME`, else
 * `home` (the process's).
 */
export function createEnvConfigWith(
  platform: Platform,
  env: EnvSource,
  options: EnvConfigOptions = {},
  home?: string,
): EnvConfig {
  const layers = layersOf(
    platform,
    env,
    options.envFile ?? DEFAULT_ENV_FILE,
    "envFile (--env-file)",
  );
  // Known before the warning is said: a variable's name may hold the key (`AUTH_<key>`).
  rememberSecret(layeredValue(layers)("CLIENT_KEY"));
  const warning = unknownVariablesWarning(layers, NAMES);
  if (warning !== undefined) options.onWarning?.(redactKnown(warning));
  const clientKey = clientKeyOf(layers);
  const read = layeredValue(layers);
  const raw: Record<string, string | undefined> = {};
  for (const field of FIELDS) raw[TABLE[field].name] = read(TABLE[field].name);
  if (!envIsPlain(raw)) configSchemas().validateEnv(raw);
  const values: Values = {};
  const reading: Reading = { home: env.HOME?.trim() || home, name: (field) => TABLE[field].name };
  for (const field of FIELDS) fromEnvText(values, field, raw[TABLE[field].name], reading);
  checkGrant(values, clientKey, reading.name);
  return build(values, clientKey, sourcesOf(layers, NAMES));
}

function fromEnvText<K extends Field>(
  values: Values,
  field: K,
  text: string | undefined,
  reading: Reading,
): void {
  const variable: Variable<Value<K>> = TABLE[field];
  put(values, field, text === undefined ? undefined : variable.fromText(text), reading);
}

/** An option as the environment's text would be: trimmed, blank counting as unset. */
function tidy(value: unknown): unknown {
  if (isString(value)) return value.trim() || undefined;
  if (isStringList(value)) return value.map((item) => item.trim()).filter((item) => item !== "");
  return value;
}

/**
 * Builds {@link EnvConfig} from typed options, with the rules and defaults of the environment
 * table; reads no environment and no file (a path's `~` is `home`, the process's HOME).
 * `clientKeySource` is `"options"`.
 * @throws {ConfigError} naming the option and its rule (never its value), an unknown option,
 *   or a missing `clientKey`.
 * @example
 * const config = createConfig({ clientKey: secret, authBase: "https://gw.example.com" });
 */
export function createConfigWith(options: ConfigOptions, home?: string): EnvConfig {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("createConfig takes an options object");
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) input[key] = tidy(value);
  if (!optionsArePlain(input)) configSchemas().validateOptions(input);
  const values: Values = {};
  const reading: Reading = { home, name: (field) => field };
  for (const field of FIELDS) fromOption(values, field, input[field], reading);
  if (values.clientKey === undefined) throw new ConfigError("clientKey is required");
  checkGrant(values, values.clientKey, (field) => field);
  const sources: Record<string, ConfigSource> = {};
  for (const field of FIELDS) {
    sources[TABLE[field].name] = Object.freeze({
      kind: input[field] === undefined ? "default" : "options",
    });
  }
  return build(values, values.clientKey, Object.freeze(sources));
}

function fromOption<K extends Field>(
  values: Values,
  field: K,
  value: unknown,
  reading: Reading,
): void {
  const variable: Variable<Value<K>> = TABLE[field];
  put(values, field, variable.is(value) ? value : undefined, reading);
}

/**
 * `CLIENT_KEY` from the environment, else from the `.env` file at `envPath`, else (in a skill's
 * folder) from the skills dir's shared `_shared/.env`.
 */
export function loadClientKeyFromEnvWith(
  platform: Platform,
  env: EnvSource,
  envPath = DEFAULT_ENV_FILE,
): string {
  return clientKeyOf(layersOf(platform, env, envPath, "envPath"));
}
