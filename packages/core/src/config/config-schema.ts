/**
 * The zod schemas of the configuration, built from its table (table.ts): the gate for a value
 * the plain pass refuses (config.ts loads this module only then), and the wording of its error.
 * The messages name the setting and its rule, never the value.
 */
import * as z from "zod/mini";
import { ConfigError } from "../errors/errors.ts";
import { FIELDS, type Field, TABLE, type Value, type Variable } from "./table.ts";

export interface ConfigSchemas {
  /** Throws the ConfigError of the first variable that breaks a rule. */
  validateEnv(raw: Record<string, string | undefined>): void;
  /** Throws the ConfigError of the first option that is unknown, mistyped or breaks a rule. */
  validateOptions(input: Record<string, unknown>): void;
}

export function buildConfigSchemas(): ConfigSchemas {
  /** A variable of the environment: optional (absent: the default), a string meeting its rules. */
  function envEntry<K extends Field>(field: K) {
    const { name, rules, fromText }: Variable<Value<K>> = TABLE[field];
    const checks = rules.map((rule) =>
      z.refine<string>((text) => rule.test(fromText(text)), `${name} ${rule.says}`),
    );
    return [name, z.optional(z.string().check(...checks))] as const;
  }

  /** An option: optional (absent: the default), of its type and meeting its rules. */
  function optionEntry<K extends Field>(field: K) {
    const { is, type, rules }: Variable<Value<K>> = TABLE[field];
    const checks = rules.map((rule) => z.refine<Value<K>>(rule.test, `${field} ${rule.says}`));
    return [
      field,
      z.optional(z.custom<Value<K>>(is, `${field} must be ${type}`).check(...checks)),
    ] as const;
  }

  /** The raw variables, by name. */
  const envSchema = z.object(Object.fromEntries(FIELDS.map(envEntry)));
  /** The options, by field; a field not in the table is refused. */
  const optionsSchema = z.strictObject(Object.fromEntries(FIELDS.map(optionEntry)));
  return {
    validateEnv: (raw) => validate(envSchema, raw),
    validateOptions: (input) => validate(optionsSchema, input),
  };
}

/** The first broken rule as a ConfigError; messages name the setting, never its value. */
function validate(schema: z.ZodMiniType, input: Record<string, unknown>): void {
  const parsed = schema.safeParse(input, { reportInput: false });
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const message =
    issue?.code === "unrecognized_keys"
      ? `Unknown config option: ${issue.keys.join(", ")}`
      : (issue?.message ?? "Invalid configuration");
  throw new ConfigError(message);
}
