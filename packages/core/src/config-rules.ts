/**
 * The configuration's defaults, limits and the rules that need no parser, in a module that
 * imports nothing: the runtime's schema (config.ts) and start-up paths that must not load it
 * (the cache rules of `./cache`, the CLI's warm `token`) read the same values from here.
 */

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
  maxTtlSec: 86_400,
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
