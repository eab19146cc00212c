/**
 * `@openclaw/auth-runtime/config`: the configuration's rules without the runtime (no zod, no
 * dotenv): the defaults and limits, the whole decision of a start-up path ({@link plainConfigOf}:
 * a config by the runtime's rules, or undefined to leave it to the runtime), and the `.env`
 * files' rule and read. What the CLI's warm `token` path loads, with `./cache`.
 *
 * @example
 * import { CONFIG_DEFAULTS, plainConfigOf } from "@openclaw/auth-runtime/config";
 * const config = plainConfigOf([process.env], process.env.HOME); // undefined: ask the runtime
 */

export {
  type EnvFileRead,
  type EnvSource,
  parsePlainEnv,
  readEnvFileWith,
  sharedEnvFileOf,
} from "./config/env-file.ts";
export {
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  isLoopbackHost,
  type PlainConfig,
  plainConfig,
  plainConfigOf,
} from "./config/rules.ts";
