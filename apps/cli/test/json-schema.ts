/**
 * A small JSON Schema checker for the shapes docs/cli.md documents: the keywords those schemas
 * use and nothing more. A keyword it does not know is an error, never ignored, so a schema can
 * only say what is checked. It also records which properties a value had, so a test can show
 * that every property a schema names is printed in some case.
 */
import { readFileSync } from "node:fs";

export type Schema = { readonly [keyword: string]: unknown };

const KNOWN = new Set([
  "title",
  "description",
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "minLength",
  "minimum",
  "maximum",
  "pattern",
  "oneOf",
]);

const typeOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value;

const isType = (value: unknown, type: string): boolean =>
  type === "integer" ? Number.isInteger(value) : typeOf(value) === type;

/**
 * The problems of `value` against `schema` (empty: it conforms). `seen` collects the path of
 * each property the value had (`checks[].level`), in the branch of a `oneOf` that matched.
 */
export function validate(
  value: unknown,
  schema: Schema,
  path = "",
  seen: Set<string> = new Set(),
): string[] {
  const at = path || "(root)";
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`${at}: unknown schema keyword ${keyword}`);
  }
  const problems: string[] = [];
  const s = schema as Record<string, unknown>;
  if (s.oneOf !== undefined) {
    const results = (s.oneOf as Schema[]).map((branch) => {
      const branchSeen = new Set<string>();
      return { problems: validate(value, branch, path, branchSeen), branchSeen };
    });
    const matched = results.filter((r) => r.problems.length === 0);
    if (matched.length !== 1) {
      problems.push(`${at}: matches ${matched.length} of oneOf's ${results.length} branches`);
    }
    for (const name of matched[0]?.branchSeen ?? []) seen.add(name);
  }
  if (typeof s.type === "string" && !isType(value, s.type)) {
    return [...problems, `${at}: ${typeOf(value)}, not ${s.type}`];
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} not one of ${JSON.stringify(s.enum)}`);
  }
  if (s.const !== undefined && value !== s.const) {
    problems.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  }
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && value.length < s.minLength) {
      problems.push(`${at}: shorter than ${s.minLength}`);
    }
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) {
      problems.push(`${at}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) problems.push(`${at}: < ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) problems.push(`${at}: > ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) {
      problems.push(`${at}: fewer than ${s.minItems} items`);
    }
    if (s.items !== undefined) {
      for (const [i, item] of value.entries()) {
        problems.push(...validate(item, s.items as Schema, `${path}[${i}]`, seen));
      }
    }
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    for (const name of (s.required ?? []) as string[]) {
      if (!Object.hasOwn(object, name)) problems.push(`${at}: no ${name}`);
    }
    for (const [name, item] of Object.entries(object)) {
      const where = path ? `${path}.${name}` : name;
      const own = properties[name];
      if (own !== undefined) {
        seen.add(propertyPath(where));
        problems.push(...validate(item, own, where, seen));
      } else if (s.additionalProperties === false) {
        problems.push(`${at}: ${name} is not in the schema`);
      } else if (typeof s.additionalProperties === "object") {
        problems.push(...validate(item, s.additionalProperties as Schema, where, seen));
      }
    }
  }
  return problems;
}

/** `checks[2].level` -> `checks[].level`: a property's path whatever the item. */
const propertyPath = (path: string) => path.replace(/\[\d+\]/g, "[]");

/** Every property path `schema` names (of every `oneOf` branch), as `validate` records them. */
export function namedProperties(schema: Schema, path = ""): string[] {
  const s = schema as Record<string, unknown>;
  const names: string[] = [];
  for (const branch of (s.oneOf ?? []) as Schema[]) names.push(...namedProperties(branch, path));
  for (const [name, item] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
    const where = path ? `${path}.${name}` : name;
    names.push(where, ...namedProperties(item, where));
  }
  if (s.items !== undefined) names.push(...namedProperties(s.items as Schema, `${path}[]`));
  return [...new Set(names)];
}

/**
 * The JSON Schemas of a markdown file: each ```json block whose object has a `title` of the
 * form `openclaw-auth … --json`, by that title.
 */
export function schemasIn(markdownPath: string): Map<string, Schema> {
  const text = readFileSync(markdownPath, "utf8");
  const schemas = new Map<string, Schema>();
  for (const match of text.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
    const parsed = JSON.parse(match[1] ?? "") as Schema;
    const title = parsed.title;
    if (typeof title === "string" && /^openclaw-auth .*--json$/.test(title)) {
      if (schemas.has(title)) throw new Error(`${markdownPath}: two schemas titled ${title}`);
      schemas.set(title, parsed);
    }
  }
  return schemas;
}
