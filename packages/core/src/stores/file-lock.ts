/**
 * The cross-process lock file `token_<hash>.lock` (docs/locks.md): created exclusively, holding
 * `{"pid","host","createdAt"}`, stale when its owner is dead on this host, when it is too old, or
 * when its time lies in the future. The Python port takes the same file the same way.
 */

import { MAX_CACHE_FILE_BYTES } from "../cache/cache-file.ts";
import { sleep } from "../http/abort.ts";
import type { Platform } from "../platform/platform.ts";
import type { ReleaseLock } from "./token-store.ts";

/** A lock older than this is stale whoever holds it: no token request takes that long. */
export const LOCK_STALE_MS = 30_000;
/** A takeover guard is held for a few syscalls; one this old was left by a crash inside one. */
const GUARD_STALE_MS = 5_000;
/** How long a release waits for the guard before it removes its lock unguarded. */
const RELEASE_GUARD_WAIT_MS = GUARD_STALE_MS + 1_000;
/**
 * An empty or unparsable lock is one its creator is writing (a few syscalls; where hard links
 * work, never: the file appears with its content) or one left by a crash or a hostile hand.
 */
const UNREADABLE_STALE_MS = 2_000;
/**
 * How far a lock's time may lie ahead of our clock before it is taken for made up (a clock
 * stepped back, another host's clock, a hand-set mtime): file times and Date.now() of processes
 * on one host agree to within milliseconds. Past this, the lock is stale, or it would never age.
 */
const CLOCK_SLACK_MS = 2_000;

export interface FileLockOptions {
  /**
   * Age past which the lock is stale even when its owner is alive (or on another host).
   * @default LOCK_STALE_MS
   */
  readonly staleMs?: number;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly createdAt: number;
}

/** What is at a lock path: its text ("" when unreadable) and when the file was last written. */
interface HeldLock {
  readonly text: string;
  readonly mtimeMs: number;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    if (
      Number.isSafeInteger(owner?.pid) &&
      (owner?.pid as number) > 0 &&
      typeof owner?.host === "string" &&
      Number.isFinite(owner?.createdAt)
    ) {
      return owner as LockOwner;
    }
  } catch {}
  return undefined;
}

/**
 * Whether a lock (or a guard) may be removed by someone else: its owner is dead on this host,
 * it is older than `staleMs` (an unreadable one: than {@link UNREADABLE_STALE_MS}), or its
 * creation or file time lies in the future. Whatever a file holds or claims, it is stale within
 * `staleMs` of being seen, so no file can hold a caller for longer than its wait bound.
 */
function isStale(platform: Platform, held: HeldLock, staleMs: number): boolean {
  const now = Date.now();
  const owner = parseOwner(held.text);
  const bornMs = Math.min(owner?.createdAt ?? held.mtimeMs, held.mtimeMs);
  const latestMs = Math.max(owner?.createdAt ?? held.mtimeMs, held.mtimeMs);
  if (latestMs > now + CLOCK_SLACK_MS) return true;
  if (now - bornMs > (owner ? staleMs : Math.min(staleMs, UNREADABLE_STALE_MS))) return true;
  return (
    owner !== undefined &&
    owner.host === platform.hostname() &&
    owner.pid !== platform.pid() &&
    !platform.isProcessAlive(owner.pid)
  );
}

/**
 * A lock file. Every removal of a lock file (a release, a takeover) happens under a guard file
 * `<lock>.takeover` and removes only the content it checked, so a removal can never hit a lock
 * created since: after a takeover race there is still one owner.
 */
export class FileLock {
  readonly #platform: Platform;
  readonly #path: string;
  readonly #guardPath: string;
  readonly #staleMs: number;

  constructor(platform: Platform, path: string, options: FileLockOptions = {}) {
    this.#platform = platform;
    this.#path = path;
    this.#guardPath = `${path}.takeover`;
    this.#staleMs = options.staleMs ?? LOCK_STALE_MS;
  }

  /** One attempt: take the lock (taking over a stale one), or undefined while someone holds it. */
  async tryAcquire(): Promise<ReleaseLock | undefined> {
    // A look first: a lock someone holds is one a create would fail on, and a waiter polls it
    // many times. A create writes, links and removes a temp file: several times the CPU of the
    // look, and a change that wakes every other waiter's watch of the dir.
    const seen = await this.#readHeld();
    if (seen !== undefined && !this.#isStale(seen)) return undefined;
    const release = await this.#create();
    if (release) return release;
    const held = await this.#readHeld();
    // Gone since our attempt (released): one more try. Stale: take it over, then one more try.
    if (held !== undefined && !(this.#isStale(held) && (await this.#takeOver(held)))) {
      return undefined;
    }
    return this.#create();
  }

  async #create(): Promise<ReleaseLock | undefined> {
    const p = this.#platform;
    const content = JSON.stringify({ pid: p.pid(), host: p.hostname(), createdAt: Date.now() });
    if (!(await p.createFileExclusive(this.#path, content))) return undefined;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // Only our own lock: after a takeover the file may be someone else's.
      const removeIfOurs = async () => {
        const current = await p.readPrivateFile(this.#path, MAX_CACHE_FILE_BYTES);
        if (current.status === "ok" && current.text === content) await p.removeFile(this.#path);
        return true;
      };
      const done = await this.#withGuard(removeIfOurs, RELEASE_GUARD_WAIT_MS);
      // A guard that outlives its stale bound is broken; leaving our lock would block others.
      if (!done) await removeIfOurs();
    };
  }

  async #readHeld(): Promise<HeldLock | undefined> {
    const info = await this.#platform.pathInfo(this.#path);
    if (!info) return undefined;
    const read = await this.#platform.readPrivateFile(this.#path, MAX_CACHE_FILE_BYTES);
    if (read.status === "missing") return undefined;
    return { text: read.status === "ok" ? read.text : "", mtimeMs: info.mtimeMs };
  }

  #isStale(held: HeldLock): boolean {
    return isStale(this.#platform, held, this.#staleMs);
  }

  /**
   * Removes the lock if it still is the stale one we saw, judged again under the guard (a lock
   * created since has a fresh file time, so a half-written new lock is never mistaken for the
   * old one). True when the path is free now.
   */
  async #takeOver(seen: HeldLock): Promise<boolean> {
    const removed = await this.#withGuard(async () => {
      const current = await this.#readHeld();
      if (current === undefined) return true;
      if (current.text !== seen.text || !this.#isStale(current)) return false;
      await this.#platform.removeFile(this.#path);
      return true;
    }, 0);
    return removed === true;
  }

  /**
   * Runs `fn` holding the guard file, waiting up to `waitMs` for it; undefined when the guard
   * could not be had. A guard left behind by a crash (older than GUARD_STALE_MS, or of a dead
   * process on this host) is removed, and the guard is tried again after a pause.
   */
  async #withGuard<T>(fn: () => Promise<T>, waitMs: number): Promise<T | undefined> {
    const p = this.#platform;
    const content = JSON.stringify({ pid: p.pid(), host: p.hostname(), createdAt: Date.now() });
    const deadline = Date.now() + waitMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
      if (await p.createFileExclusive(this.#guardPath, content)) break;
      const guard = await this.#guardHeld();
      if (guard !== undefined && this.#isGuardStale(guard)) {
        // Not atomic with the check; a guard is only ever stale after a crash inside one.
        const again = await this.#guardHeld();
        if (again?.text === guard.text && again.mtimeMs === guard.mtimeMs) {
          await p.removeFile(this.#guardPath);
        }
      }
      if (Date.now() >= deadline) return undefined;
      await sleep(pauseMs * (0.5 + Math.random()));
    }
    try {
      return await fn();
    } finally {
      await p.removeFile(this.#guardPath);
    }
  }

  async #guardHeld(): Promise<HeldLock | undefined> {
    const info = await this.#platform.pathInfo(this.#guardPath);
    if (!info) return undefined;
    const read = await this.#platform.readPrivateFile(this.#guardPath, MAX_CACHE_FILE_BYTES);
    return { text: read.status === "ok" ? read.text : "", mtimeMs: info.mtimeMs };
  }

  #isGuardStale(guard: HeldLock): boolean {
    return isStale(this.#platform, guard, GUARD_STALE_MS);
  }
}
