/**
 * What the commands that need the runtime share: the validated config of this command line,
 * a token manager whose warnings go through the CLI's stderr (redacted, hidden by --quiet), and
 * the cache files behind it.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { createEnvConfig, createTokenManager, type EnvConfig } from "@openclaw/auth-runtime";
import {
  FileTokenStore,
  runtime,
  TieredTokenStore,
  type TokenManager,
} from "@openclaw/auth-runtime/adapter";
import type { GlobalOptions } from "./args.ts";
import { cliEnvironment, envFileOf } from "./env.ts";
import { addSecret, CliError, ExitCode, warn } from "./output.ts";

/** The runtime's file services (what is at a path, the private-file read), for what a command reports beyond the store's verdicts. */
export const platform = runtime.platform;

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
  const config = createEnvConfig(cliEnvironment(globals), { envFile: envFileOf(globals) });
  addSecret(config.clientKey);
  return config;
}

/** Why `path` cannot be read as a file (an error code), or undefined when it can. */
function unreadableFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    return (error as { code?: string }).code ?? "error";
  }
  try {
    return fstatSync(fd).isFile() ? undefined : "not a file";
  } finally {
    closeSync(fd);
  }
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
