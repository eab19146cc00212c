/**
 * The configuration table: one row per setting, and the one place a setting is declared. A row
 * holds the variable's name, its field, its type, its default (rules.ts's CONFIG_DEFAULTS and
 * CONFIG_LIMITS, which start-up paths read without this table), how its text is read, its rules
 * and their messages, whether the token manager reads it (`perRequest`), and whether the CLI's
 * warm path decides on it (`plain`). Everything else is derived from the rows: the zod schemas
 * (config-schema.ts), the plain pass and the defaults (config.ts), the manager identity
 * ({@link managerSettingsText}), the known names of the unknown-variable warning, and
 * {@link CONFIG_VARIABLES}, which docs and tests read. Adding a setting is adding a row (and its
 * field to the two public types of types.ts, which the compiler holds to the row).
 */

import {
  flag,
  integer,
  isNumber,
  isString,
  isStringList,
  oneOf,
  type Rule,
  SERVER_URL_RULES,
  text,
  type Variable,
} from "./rows.ts";
import {
  CONFIG_DEFAULTS,
  hasNoFragment,
  hasNoUrlCredentials,
  hasNoUserTilde,
  isAbsoluteHttpUrl,
  isCacheDir,
  isHttpOrigin,
  isHttpsOrLoopback,
  isRedisUrl,
  isSessionPath,
  isTokenUrl,
  normalizeAuthBase,
  normalizeCacheDir,
  splitList,
  TILDE_RULE,
} from "./rules.ts";
import type { ClientAuthMethod, ConfigOptions, EnvConfig, Grant } from "./types.ts";

export type { Rule, Variable } from "./rows.ts";

/** @internal A setting's field: a key of {@link ConfigOptions}. */
export type Field = keyof ConfigOptions;
/** @internal */
export type Value<K extends Field> = Exclude<ConfigOptions[K], undefined>;
/** Settings read so far, by field; an unset one is absent. */
export type Values = { -readonly [K in Field]?: Value<K> };

const GRANTS: readonly Grant[] = ["session", "client_credentials"];
const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
];
const NO_ORIGINS: readonly string[] = Object.freeze([]);

/**
 * The configuration table, in the order of the docs. README.md's table is tested against it
 * (test/config.test.ts), so the docs cannot drift from it.
 */
const VARIABLES = {
  authBase: {
    ...text("AUTH_BASE", "gateway base URL; trailing `/` removed", SERVER_URL_RULES),
    default: CONFIG_DEFAULTS.authBase,
    normalize: normalizeAuthBase,
    // The token request goes to it only through the token endpoint, which the cache key holds.
    perRequest: true,
    plain: true,
  },
  clientKey: {
    ...text(
      "CLIENT_KEY",
      "the secret traded for tokens; from the environment, else the `.env` file",
    ),
    required: true,
    plain: true,
  },
  cacheDir: {
    ...text("AUTH_CACHE_DIR", "directory of the token cache files", [
      { test: isCacheDir, says: "must be a path" },
      { test: hasNoUserTilde, says: TILDE_RULE },
    ]),
    default: CONFIG_DEFAULTS.cacheDir,
    normalize: normalizeCacheDir,
    path: true,
    plain: true,
  },
  minTtlSec: {
    ...integer(
      "minTtlSec",
      "AUTH_MIN_TTL_SEC",
      "a cached token is served only while more than this many seconds remain",
    ),
    plain: true,
  },
  sessionPath: {
    ...text("AUTH_SESSION_PATH", "path on the base URL of the token request", [
      { test: isSessionPath, says: "must be a path starting with a single '/'" },
    ]),
    default: CONFIG_DEFAULTS.sessionPath,
    plain: true,
  },
  timeoutMs: {
    ...integer("timeoutMs", "AUTH_TIMEOUT_MS", "timeout of each HTTP attempt, in ms"),
    plain: true,
  },
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
  redisUrl: text("AUTH_REDIS_URL", "URL of a shared fleet cache", [
    { test: isRedisUrl, says: "must be a redis:// or rediss:// URL" },
  ]),
  maxTtlSec: {
    ...integer(
      "maxTtlSec",
      "AUTH_MAX_TTL_SEC",
      "no token is cached for longer than this many seconds, whatever the gateway says",
    ),
    plain: true,
  },
  debug: flag(
    "AUTH_DEBUG",
    "`1` (or `true`, `yes`, `on`): one redacted line per event of the runtime on stderr",
  ),
  grant: oneOf("AUTH_GRANT", "the token request: `session` or `client_credentials`", GRANTS),
  tokenUrl: text(
    "AUTH_TOKEN_URL",
    "client_credentials: the token endpoint, an absolute URL or a path on the base URL",
    [
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
  ),
  issuer: text(
    "AUTH_ISSUER",
    "client_credentials without AUTH_TOKEN_URL: the issuer whose metadata names the token endpoint",
    SERVER_URL_RULES,
  ),
  clientId: text("AUTH_CLIENT_ID", "client_credentials: the OAuth client id"),
  clientAuth: oneOf(
    "AUTH_CLIENT_AUTH",
    "client_credentials: `client_secret_basic`, `client_secret_post` or `private_key_jwt`",
    CLIENT_AUTH_METHODS,
  ),
  scope: text("AUTH_SCOPE", "client_credentials: `scope` of the token request"),
  audience: text("AUTH_AUDIENCE", "client_credentials: `audience` of the token request"),
  resource: text(
    "AUTH_RESOURCE",
    "client_credentials: `resource` of the token request (RFC 8707)",
    [
      { test: isAbsoluteHttpUrl, says: "must be an absolute http(s) URL (RFC 8707)" },
      { test: hasNoFragment, says: "must not have a fragment" },
    ],
  ),
} satisfies { readonly [K in Field]: Variable<Value<K>> };

/** The table seen per field: what the generic code (config.ts, config-schema.ts) indexes. */
export type ConfigTable = { readonly [K in Field]: Variable<Value<K>> };
export const TABLE: ConfigTable = VARIABLES;
/** The fields, in the table's order. */
export const FIELDS = Object.keys(TABLE) as readonly Field[];
/** The variables, in the table's order. */
export const NAMES: readonly string[] = FIELDS.map((field) => TABLE[field].name);

// ---- The public types, held to the rows --------------------------------------------------------

type Row<K extends Field> = (typeof VARIABLES)[K];
/** A field as the config holds it: its value; undefined too when it has no default and may be unset. */
type Setting<K extends Field> =
  Row<K> extends { readonly required: true }
    ? Value<K>
    : Row<K>["default"] extends undefined
      ? Value<K> | undefined
      : Value<K>;
/** The settings of a config, as the table types them. */
export type ConfigValues = { readonly [K in Field]: Setting<K> };

// EnvConfig has exactly the table's fields, typed as the rows say (and where the key came
// from); ConfigOptions's fields are the rows' (Field is its keys): a setting added to one and not
// the other, or typed otherwise, fails to compile.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fieldsMatch: Exactly<keyof EnvConfig, Field | "clientKeySource" | "sources"> = true;
const typesMatch: Exactly<Pick<EnvConfig, Field>, ConfigValues> = true;
void fieldsMatch;
void typesMatch;

// ---- What docs, tools and other layers read -----------------------------------------------------

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
  /** True when a start-up path (rules.ts's plainConfig) reads and decides on it. */
  readonly plain: boolean;
  readonly doc: string;
}

/** The configuration table: every variable `createEnvConfig` reads, in the order of the docs. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze(
  FIELDS.map((field) => {
    const { name, doc, default: value, required, perRequest, plain } = TABLE[field];
    return Object.freeze({
      name,
      field,
      // A list's default is empty: none.
      default: isString(value) || isNumber(value) || typeof value === "boolean" ? value : undefined,
      required: required === true,
      perRequest: perRequest === true,
      plain: plain === true,
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

/**
 * The rule of AUTH_TOKEN_URL that an absolute `url` breaks, as its message words it, or undefined
 * when it may be a token endpoint. Discovery asks it of a `token_endpoint` an issuer names: a
 * discovered endpoint obeys exactly the rules of a configured one.
 */
export function brokenTokenUrlRule(url: string): string | undefined {
  const rules: readonly Rule<string>[] = VARIABLES.tokenUrl.rules;
  return rules.find((rule) => !rule.test(url))?.says;
}
