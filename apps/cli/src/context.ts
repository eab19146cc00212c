/**
 * What the commands that need the runtime share: the validated config of this command line,
 * a token manager whose warnings go through the CLI's stderr (redacted, hidden by --quiet), and
 * the cache files behind it.
 */
import { createEnvConfig, createTokenManager, type EnvConfig } from "@openclaw/auth-runtime";
import {
  FileTokenStore,
  runtimeOf,
  TieredTokenStore,
  type TokenManager,
} from "@openclaw/auth-runtime/adapter";
import type { GlobalOptions } from "./args.ts";
import { cliEnvironment, envFileOf, readEnvFile } from "./env.ts";
import { addSecret, CliError, ExitCode, warn } from "./output.ts";

/**
 * The runtime's file services (what is at a path, the private-file read), fetch and proxy, for
 * what a command reports beyond the store's verdicts: the platform of the runtime behind the
 * user API this CLI imports (Bun's, or Node's in the Node build of scripts/build-package.ts).
 */
export const platform = runtimeOf(createTokenManager).platform;

/**
 * The config of the environment, `--base` and the .env file (`--env-file` or ./.env).
 * Throws ConfigError (exit code 2) on a bad or missing value.
 */
export function loadConfig(globals: GlobalOptions): EnvConfig {
  if (globals.envFile !== undefined) {
    const problem = unreadableFile(globals.envFile);
    // The path is not repeated: a secret pasted in the wrong place would be printed with it.
    if (problem) {
      throw new CliError("CONFIG_ERROR", `cannot read the --env-file (${problem})`, ExitCode.Usage);
    }
  }
  const config = createEnvConfig(cliEnvironment(globals), {
    envFile: envFileOf(globals),
    // Unknown AUTH_*/CLIENT_* variables: a warning line like the others (--quiet, --json).
    onWarning: warn,
  });
  addSecret(config.clientKey);
  return config;
}

/**
 * Why `path` cannot be read as an env file (ENOENT, or the runtime's rule broken), or undefined
 * when it can. By the runtime's rule, so a FIFO or a device given here is never waited on.
 */
function unreadableFile(path: string): string | undefined {
  const read = readEnvFile(path);
  if (read.status === "ok") return undefined;
  return read.status === "missing" ? "ENOENT" : read.reason;
}

/**
 * A token manager for `config` (the cache files in config.cacheDir), warnings on our stderr;
 * `onWarning` replaces that, for a command that reports the problems itself.
 */
export function tokenManagerFor(
  config: EnvConfig,
  onWarning: (message: string) => void = warn,
): TokenManager {
  return createTokenManager({ config, onWarning });
}

/** The cache files behind `manager` (with AUTH_REDIS_URL, the local tier behind Redis). */
export function cacheFilesOf(manager: TokenManager): FileTokenStore {
  const store = manager.store instanceof TieredTokenStore ? manager.store.local : manager.store;
  if (store instanceof FileTokenStore) return store;
  // createTokenManager without a `store` always keeps the cache files.
  throw new Error("the token manager keeps no cache files");
}
