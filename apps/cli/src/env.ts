/** The environment a command reads its configuration from, with the command line's overrides. */
import type { GlobalOptions } from "./args.ts";
import { type Env, startEnvironment } from "./main.ts";

export { type Env, startEnvironment };

/** The environment the process was started with (see main.ts), `--base` setting AUTH_BASE. */
export function cliEnvironment(globals: Pick<GlobalOptions, "base">): Env {
  const env = startEnvironment();
  return globals.base === undefined ? env : { ...env, AUTH_BASE: globals.base };
}

/** The `.env` file to read: `--env-file`, else ./.env. */
export const envFileOf = (globals: Pick<GlobalOptions, "envFile">) => globals.envFile ?? ".env";
