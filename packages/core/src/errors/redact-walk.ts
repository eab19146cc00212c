/**
 * Whether anything reachable from a value (an error a caller's fetch threw, its fields, its
 * causes) may hold a secret: a bounded walk that says "yes" when it finds one, and also when it
 * could not look at everything, since only a walk that ended proves a value clean.
 */
import { redactSecrets } from "./redact.ts";

/**
 * How far the walk looks. A fetch error is a few objects of a few fields; one that is deeper or
 * larger than this is not proven clean (and so is copied, redacted) rather than walked for long.
 */
const WALK_LIMITS = {
  /** Objects within objects, a cause or an `errors` entry counting as one level. */
  depth: 16,
  /** Values looked at in all: objects, strings, numbers… */
  nodes: 2_000,
  /** Bytes of a typed array or ArrayBuffer decoded as text to be looked at. */
  bytes: 64 * 1024,
} as const;

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** `object[key]`, or undefined when reading it throws (a getter may). */
export function read(object: object, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * True when a secret is in anything reachable from `root` (own properties, enumerable or not,
 * symbol keys, array items, Map/Set/Headers/FormData entries, a URL, bytes as text, the cause
 * chain and an AggregateError's `errors`), or when the walk cannot prove it is not: more than
 * {@link WALK_LIMITS} to look at, a getter, or an object that prints what the walk cannot see
 * (a Blob, a stream, a promise, a custom `toJSON` or inspect method).
 */
export function mayHoldSecret(root: unknown, secrets: readonly (string | undefined)[]): boolean {
  if (!secrets.some((secret) => secret && redactSecrets(secret, [secret]) !== secret)) {
    return false; // Nothing redactSecrets would remove: nothing to find.
  }
  const holds = (text: string) => redactSecrets(text, secrets) !== text;
  const seen = new Set<object>();
  const pending: [value: unknown, depth: number][] = [[root, 0]];
  let nodes = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (++nodes > WALK_LIMITS.nodes) return true;
    if (typeof value === "string") {
      if (holds(value)) return true;
      continue;
    }
    if (typeof value === "number" || typeof value === "bigint") {
      if (holds(String(value))) return true;
      continue;
    }
    // A function prints as its name; the rest (booleans, symbols, undefined) hold no text.
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (depth >= WALK_LIMITS.depth) return true;
    const children = tryChildrenOf(value);
    if (children === undefined || children.length > WALK_LIMITS.nodes) return true;
    for (const child of children) pending.push([child, depth + 1]);
  }
  return false;
}

/** {@link childrenOf}, undefined when looking throws (a Proxy's traps may). */
function tryChildrenOf(value: object): unknown[] | undefined {
  try {
    return childrenOf(value);
  } catch {
    return undefined;
  }
}

/** What `value` holds, or undefined when the walk cannot see all it may print. */
function childrenOf(value: object): unknown[] | undefined {
  const own = ownValues(value);
  if (own === undefined) return undefined;
  // Built-ins whose content is not in their own properties: what they hold, as they print it.
  if (value instanceof Map) return [...value.entries(), ...own];
  if (value instanceof Set) return [...value.values(), ...own];
  if (
    value instanceof URL ||
    value instanceof URLSearchParams ||
    value instanceof RegExp ||
    value instanceof Date
  ) {
    return [String(value), ...own];
  }
  const bytes = bytesOf(value);
  if (bytes !== undefined) {
    if (bytes.byteLength > WALK_LIMITS.bytes) return undefined;
    return [new TextDecoder().decode(bytes), ...own];
  }
  if (isInstance(value, "Headers") || isInstance(value, "FormData")) {
    return [...(value as Headers).entries(), ...own];
  }
  if (isInstance(value, "Request") || isInstance(value, "Response")) {
    const message = value as Request | Response;
    return [message.url, ...message.headers.entries(), ...own];
  }
  // Out of reach: a Blob's or a stream's content, what a promise resolved to (util.inspect
  // prints it), and whatever a toJSON or inspect method prints (axios errors have a toJSON).
  if (
    isInstance(value, "Blob") ||
    isInstance(value, "ReadableStream") ||
    value instanceof Promise ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    INSPECT in value ||
    "toJSON" in value
  ) {
    return undefined;
  }
  // `message` and `name` may come from the prototype (DOMException's do).
  if (value instanceof Error) return [read(value, "message"), read(value, "name"), ...own];
  return own;
}

/** The values of `value`'s own properties (string and symbol keys, enumerable or not). */
function ownValues(value: object): unknown[] | undefined {
  // An array's indices are own keys: one too long is not listed only to be refused.
  if (Array.isArray(value) && value.length > WALK_LIMITS.nodes) return undefined;
  const out: unknown[] = [];
  for (const key of Reflect.ownKeys(value)) {
    const field = Object.getOwnPropertyDescriptor(value, key);
    // A getter may compute anything, or change something: not called.
    if (field && !("value" in field)) return undefined;
    out.push(field?.value);
  }
  return out;
}

/** `instanceof` a global class this runtime may not have (the core has no runtime types). */
function isInstance(value: object, name: string): boolean {
  const type = (globalThis as Record<string, unknown>)[name];
  return typeof type === "function" && value instanceof type;
}

function bytesOf(value: object): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return undefined;
}
