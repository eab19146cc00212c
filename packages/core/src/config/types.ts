/**
 * The configuration's public types: the config every runtime function takes, the options of
 * `createConfig` and of `createEnvConfig`. Their fields are the table's (table.ts), which checks
 * them at compile time: a setting in one and not the other fails to compile.
 */

import type { ConfigSources } from "./env-layers.ts";

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
