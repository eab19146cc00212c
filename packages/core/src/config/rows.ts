/**
 * What a row of the configuration table is ({@link Variable}), and the builders of the common
 * kinds of row: an integer within its limits, free text, a switch, one of a few words. The rules
 * are rules.ts's predicates, which start-up paths call without loading zod.
 */

import {
  BOOLEAN_RULE,
  booleanFromText,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  hasNoQueryOrFragment,
  hasNoUrlCredentials,
  integerFromText,
  isAbsoluteHttpUrl,
  isHttpsOrLoopback,
  isIntegerIn,
} from "./rules.ts";

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
   * environment, a `.env` file or an option alike (rules.ts's expandHome).
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
  /**
   * True for a variable that rules.ts's plainConfig reads and decides on, on a start-up path such
   * as the CLI's warm `token` (its PLAIN_CONFIG_READS); unset, the path defers to the runtime
   * whenever the variable is set (PLAIN_CONFIG_DEFERS). rules.ts imports nothing, so it cannot
   * read this table: test/config-table.test.ts checks that its two lists are this split.
   */
  readonly plain?: true;
}

export const isString = (value: unknown): value is string => typeof value === "string";
export const isNumber = (value: unknown): value is number => typeof value === "number";
export const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every(isString);
const same = (text: string) => text;

type IntegerField = keyof typeof CONFIG_LIMITS;

/** An integer setting: its default and its limits are rules.ts's, under `field`. */
export function integer(field: IntegerField, name: string, doc: string): Variable<number, number> {
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

/**
 * A string setting without default (spread it and set `default` for one), held to `rules`;
 * without rules, free-form text.
 */
export function text(
  name: string,
  doc: string,
  rules: readonly Rule<string>[] = [],
): Variable<string, undefined> {
  return {
    name,
    doc,
    default: undefined,
    type: "a string",
    is: isString,
    fromText: same,
    rules,
  };
}

const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/**
 * A switch: the variable's `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (rules.ts's
 * booleanFromText, the one rule the runtime's AUTH_DEBUG check shares), any other text refused
 * rather than read as off; as an option, a boolean.
 */
export function flag(name: string, doc: string): Variable<boolean, boolean> {
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
export function oneOf<T extends string>(
  name: string,
  doc: string,
  values: readonly T[],
): Variable<T, T> {
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
export const SERVER_URL_RULES: readonly Rule<string>[] = [
  { test: isAbsoluteHttpUrl, says: "must be an absolute http(s) URL" },
  { test: hasNoUrlCredentials, says: "must not contain credentials (user:password@)" },
  { test: hasNoQueryOrFragment, says: "must not have a query string or fragment" },
  {
    test: isHttpsOrLoopback,
    says: "must use https (plain http is allowed only for loopback hosts)",
  },
];
