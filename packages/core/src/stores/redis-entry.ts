/**
 * A Redis token entry held to the cache file's rules (docs/cache.md): at most 64 KiB, checked on
 * the server so a larger value is never sent to us, and judged by {@link parseCacheFile} alone.
 * Lua never judges a token: its JSON decoder takes what JSON.parse refuses (`1e999` and
 * `Infinity` as infinity, `0x10`, `nan`, raw control characters), so a script that compared
 * expiries itself would keep, for good, an entry every reader refuses. Instead a write is a
 * compare-and-set: JavaScript reads and judges the entry, and the script stores ours only if the
 * entry is still the one judged (its SHA-1, computed by the server on both sides).
 */
import { MAX_CACHE_FILE_BYTES } from "../cache/cache-file.ts";

/**
 * The entry's value when it may be read: a string of at most ARGV max bytes; else false (absent,
 * too large, another type). The one definition of "readable", in both scripts below.
 */
const READABLE = `
local function readable(key, max)
  if redis.call('TYPE', key)['ok'] ~= 'string' then return false end
  if redis.call('STRLEN', key) > max then return false end
  return redis.call('GET', key)
end`;

/** `{sha1, value}` of a readable entry, else nil. ARGV: max bytes. */
export const READ_ENTRY = `${READABLE}
local value = readable(KEYS[1], tonumber(ARGV[1]))
if not value then return false end
return {redis.sha1hex(value), value}`;

/**
 * Stores ARGV[1] with PX ARGV[2] and publishes `token` on ARGV[3], only while the entry is the one
 * judged: SHA-1 ARGV[4], or `""` for no readable entry. 1 when stored, 0 when it changed since.
 * ARGV[5]: max bytes.
 */
export const WRITE_ENTRY = `${READABLE}
local value = readable(KEYS[1], tonumber(ARGV[5]))
local seen = value and redis.sha1hex(value) or ''
if seen ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], 'token')
return 1`;

/** The `max bytes` argument of the scripts. */
export const MAX_ENTRY_ARG = String(MAX_CACHE_FILE_BYTES);

/** What a read found: the value to judge and its fingerprint for {@link WRITE_ENTRY}. */
export interface EntryRead {
  /** The value, or undefined when there is none that may be read. */
  readonly text: string | undefined;
  /** SHA-1 hex of the value as the server computed it; `""` when there is none. */
  readonly seen: string;
}

export const NO_ENTRY: EntryRead = Object.freeze({ text: undefined, seen: "" });

const encoder = new TextEncoder();

/** A bulk reply as text: Bun and node-redis give strings, some clients bytes. */
export function replyText(reply: unknown): string | undefined {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return undefined;
}

/**
 * The reply's text when it is at most 64 KiB. Byte length, as the server counts: decoding cut or
 * broken UTF-8 never shortens it (a replaced sequence of 1 to 3 bytes becomes 3 bytes).
 */
export function boundedText(reply: unknown): string | undefined {
  const text = replyText(reply);
  if (text === undefined) return undefined;
  const bytes = reply instanceof Uint8Array ? reply.length : encoder.encode(text).length;
  return bytes > MAX_CACHE_FILE_BYTES ? undefined : text;
}

/** The reply of {@link READ_ENTRY}. */
export function entryFromScript(reply: unknown): EntryRead {
  if (!Array.isArray(reply)) return NO_ENTRY;
  const seen = replyText(reply[0]);
  const text = boundedText(reply[1]);
  return seen === undefined || text === undefined ? NO_ENTRY : { text, seen };
}
