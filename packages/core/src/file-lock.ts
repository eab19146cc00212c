/**
 * The cross-process lock file `token_<hash>.lock` (DESIGN.md): created exclusively, holding
 * `{"pid","host","createdAt"}`, stale when its owner is dead on this host or it is too old.
 * The Python port takes the same file the same way.
 */
import type { Platform } from "./platform.ts";
import type { ReleaseLock } from "./token-store.ts";

/** A lock older than this is stale whoever holds it: no token request takes that long. */
export const LOCK_STALE_MS = 30_000;
/** A takeover guard is held for microseconds; one this old was left by a crash mid-takeover. */
const GUARD_STALE_MS = 5_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly createdAt: number;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof owner.pid === "number" &&
      typeof owner.host === "string" &&
      typeof owner.createdAt === "number"
    ) {
      return owner as LockOwner;
    }
  } catch {}
  return undefined;
}

export class FileLock {
  readonly #platform: Platform;
  readonly #path: string;

  constructor(platform: Platform, path: string) {
    this.#platform = platform;
    this.#path = path;
  }

  /** One attempt: take the lock (taking over a stale one), or undefined while someone holds it. */
  async tryAcquire(): Promise<ReleaseLock | undefined> {
    const release = await this.#create();
    if (release) return release;
    const held = await this.#readHeld();
    if (held === undefined || !(await this.#isStale(held))) return undefined;
    await this.#takeOver(held.text);
    return this.#create();
  }

  async #create(): Promise<ReleaseLock | undefined> {
    const p = this.#platform;
    const content = JSON.stringify({ pid: p.pid(), host: p.hostname(), createdAt: Date.now() });
    if (!(await p.createFileExclusive(this.#path, content))) return undefined;
    return async () => {
      // Only our own lock: after a takeover the file may be someone else's.
      const current = await p.readPrivateFile(this.#path);
      if (current.status === "ok" && current.text === content) await p.removeFile(this.#path);
    };
  }

  async #readHeld(): Promise<{ text: string; mtimeMs: number } | undefined> {
    const info = await this.#platform.pathInfo(this.#path);
    if (!info) return undefined;
    const read = await this.#platform.readPrivateFile(this.#path);
    return { text: read.status === "ok" ? read.text : "", mtimeMs: info.mtimeMs };
  }

  async #isStale(held: { text: string; mtimeMs: number }): Promise<boolean> {
    const owner = parseOwner(held.text);
    // An unreadable or half-written lock (its creator may be writing it right now) is judged by age.
    const createdAt = owner?.createdAt ?? held.mtimeMs;
    if (Date.now() - createdAt > LOCK_STALE_MS) return true;
    return (
      owner !== undefined &&
      owner.host === this.#platform.hostname() &&
      owner.pid !== this.#platform.pid() &&
      !this.#platform.isProcessAlive(owner.pid)
    );
  }

  /**
   * Removes the stale lock whose content is `staleText`. A guard file makes the check-and-remove
   * exclusive, so two processes that both saw the stale lock cannot remove each other's new one.
   */
  async #takeOver(staleText: string): Promise<void> {
    const p = this.#platform;
    const guard = `${this.#path}.takeover`;
    if (!(await p.createFileExclusive(guard, String(p.pid())))) {
      const info = await p.pathInfo(guard);
      if (info && Date.now() - info.mtimeMs > GUARD_STALE_MS) await p.removeFile(guard);
      return;
    }
    try {
      const current = await p.readPrivateFile(this.#path);
      const currentText = current.status === "ok" ? current.text : "";
      if (current.status !== "missing" && currentText === staleText) await p.removeFile(this.#path);
    } finally {
      await p.removeFile(guard);
    }
  }
}
