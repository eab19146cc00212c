/**
 * What the commands that need the runtime share: the validated config of this command line and
 * a token manager whose warnings go through the CLI's stderr (redacted, hidden by --quiet).
 */
import { existsSync } from "node:fs";
import {
  createEnvConfig,
  createTokenManager,
  type EnvConfig,
  type TokenManager,
} from "@openclaw/auth-runtime";
import type { GlobalOptions } from "./args.ts";
import { cliEnvironment, envFileOf } from "./env.ts";
import { addSecret, CliError, ExitCode, warn } from "./output.ts";

/**
 * The config of the environment, `--base` and the .env file (`--env-file` or ./.env).
 * Throws ConfigError (exit code 2) on a bad or missing value.
 */
export function loadConfig(globals: GlobalOptions): EnvConfig {
  if (globals.envFile !== undefined && !existsSync(globals.envFile)) {
    throw new CliError(
      "CONFIG_ERROR",
      `--env-file ${globals.envFile}: no such file`,
      ExitCode.Usage,
    );
  }
  const config = createEnvConfig(cliEnvironment(globals), { envFile: envFileOf(globals) });
  addSecret(config.clientKey);
  return config;
}

/** A token manager for `config` (the cache files in config.cacheDir), warnings on our stderr. */
export function tokenManagerFor(config: EnvConfig): TokenManager {
  return createTokenManager({ config, onWarning: warn });
}
