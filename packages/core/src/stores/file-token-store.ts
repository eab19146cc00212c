/** The cache file store of docs/cache.md: `{cacheDir}/token_<hash>.json`, shared with the Python port. */

import {
  type CachedToken,
  cacheFileName,
  lockFileName,
  MAX_CACHE_FILE_BYTES,
  parseCacheFile,
  toCacheFile,
} from "../cache/cache-file.ts";
import { sleep } from "../http/abort.ts";
import { warnOnStderr } from "../observe/warn.ts";
import { type Platform, parseTempName } from "../platform/platform.ts";
import { FileLock } from "./file-lock.ts";
import { ChangeSignal, type StoreWatch } from "./store-watch.ts";
import type { ReleaseLock, TokenStore, WatchOptions } from "./token-store.ts";

export interface FileTokenStoreOptions {
  /** The cache directory; created 0700 when missing. */
  readonly dir: string;
  /**
   * Told once per problem when the directory or a file cannot be used safely.
   * @default console.warn
   */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** A write holds its lock for a few syscalls; one this old was left by a crash. */
const WRITE_LOCK_STALE_MS = 5_000;
/**
 * Past this, a write goes on without its lock rather than hang. Longer than the stale bound,
 * so a lock left by a crash is always taken over first.
 */
const WRITE_LOCK_WAIT_MS = WRITE_LOCK_STALE_MS + 1_000;

/**
 * A temp file lives for the few syscalls between its write and its rename; one this old was
 * left by a writer that died, whatever its pid says now (pids are reused; another host's pids
 * mean nothing here).
 */
const ORPHAN_TEMP_MS = 60_000;

/** Why a cache directory is not used, or undefined when it is safe. */
export type CacheDirProblem = string | undefined;

/**
 * Token files in one private directory. A directory or file that is a symlink or belongs to
 * another user is not used (the store then acts as empty); writes are atomic renames.
 */
export class FileTokenStore implements TokenStore {
  readonly dir: string;
  readonly #platform: Platform;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  #dirChecked: Promise<CacheDirProblem> | undefined;

  constructor(platform: Platform, options: FileTokenStoreOptions) {
    this.#platform = platform;
    this.dir = options.dir;
    this.#warn = options.onWarning ?? warnOnStderr;
  }

  /** Path of the cache file for `key`. */
  filePath(key: string): string {
    return `${this.dir}/${cacheFileName(key)}`;
  }

  /** Path of the lock file for `key`. */
  lockPath(key: string): string {
    return `${this.dir}/${lockFileName(key)}`;
  }

  /**
   * Path of the write lock for `key`: held only around the compare-and-rename of {@link set},
   * never across a network call.
   */
  writeLockPath(key: string): string {
    return `${this.dir}/token_${key}.write.lock`;
  }

  describe(key: string): string {
    return this.filePath(key);
  }

  async get(key: string): Promise<CachedToken | undefined> {
    this.#dirChecked ??= this.checkDir({ create: false });
    if (await this.#dirChecked) return undefined;
    const read = await this.#platform.readPrivateFile(this.filePath(key), MAX_CACHE_FILE_BYTES);
    if (read.status === "refused") {
      this.#warnOnce(`not using cache file ${this.filePath(key)}: ${read.reason}`);
      return undefined;
    }
    return read.status === "ok" ? parseCacheFile(read.text) : undefined;
  }

  async set(key: string, token: CachedToken): Promise<void> {
    this.#dirChecked = this.checkDir({ create: true });
    if (await this.#dirChecked) return;
    // Compare and rename under the write lock: two writers that both read the old file would
    // otherwise land in any order, and an older token could replace a newer one.
    const release = await this.#writeLock(key);
    try {
      const current = await this.get(key);
      if (current && current.expiresAt > token.expiresAt) return;
      await this.#platform.writeFileAtomic(this.filePath(key), JSON.stringify(toCacheFile(token)));
    } catch (error) {
      if (!this.#cannotWrite(error)) throw error;
    } finally {
      await release?.().catch(() => {});
      // Here, not on the read path: writes are rare (one per token lifetime), reads are not.
      await this.#removeTempFiles((temp) => this.#isOrphan(temp)).catch(() => {});
    }
  }

  /**
   * Removes the entry and its temp files, which may hold the token too (a writer whose temp
   * file goes meanwhile writes it once more: that write simply lands after this delete).
   */
  async delete(key: string): Promise<void> {
    const file = this.filePath(key);
    await this.#platform.removeFile(file);
    const name = file.slice(this.dir.length + 1);
    await this.#removeTempFiles((temp) => temp.target === name);
  }

  /**
   * Removes the temp files of this directory's cache, lock and guard files that `select`
   * picks. A no-op on a platform that cannot list a directory.
   */
  async #removeTempFiles(
    select: (temp: { name: string; target: string; pid: number }) => boolean | Promise<boolean>,
  ): Promise<void> {
    const p = this.#platform;
    if (!p.listDirectory) return;
    for (const name of await p.listDirectory(this.dir)) {
      const temp = parseTempName(name);
      // Only the names this runtime writes (token_<hash>..., discovery_<hash>...).
      if (!temp || !/^[a-z]+_[0-9a-f]{32}\./.test(temp.target)) continue;
      if (await select({ name, ...temp })) await p.removeFile(`${this.dir}/${name}`);
    }
  }

  /** A temp file whose writer is dead on this host, or that is too old to be anyone's. */
  async #isOrphan(temp: { name: string; pid: number }): Promise<boolean> {
    const p = this.#platform;
    if (temp.pid !== p.pid() && !p.isProcessAlive(temp.pid)) return true;
    const info = await p.pathInfo(`${this.dir}/${temp.name}`);
    return info !== undefined && Date.now() - info.mtimeMs > ORPHAN_TEMP_MS;
  }

  /** The cache dir's change notifications, for the token file and (unless `tokenOnly`) the lock file. */
  async watch(key: string, options: WatchOptions = {}): Promise<StoreWatch | undefined> {
    const names = new Set([cacheFileName(key)]);
    if (!options.tokenOnly) names.add(lockFileName(key));
    const change = new ChangeSignal(() => stop?.());
    const stop = this.#platform.watchDirectory?.(this.dir, (name) => {
      if (name === undefined || names.has(name)) change.notify();
    });
    return stop ? change : undefined;
  }

  async tryLock(key: string): Promise<ReleaseLock | undefined> {
    this.#dirChecked = this.checkDir({ create: true });
    // An unusable directory means no shared cache, so there is nothing to coordinate.
    if (await this.#dirChecked) return async () => {};
    try {
      return await new FileLock(this.#platform, this.lockPath(key)).tryAcquire();
    } catch (error) {
      // A directory we may not write in cannot be shared either: no lock to wait for.
      if (this.#cannotWrite(error)) return async () => {};
      throw error;
    }
  }

  /**
   * True (after one warning) when `error` says the directory is not writable for us, which
   * makes the store memory-only rather than a failure.
   */
  #cannotWrite(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") return false;
    this.#problem(`cannot write in it (${code})`);
    return true;
  }

  /** The write lock, polled briefly; undefined (write anyway) when it cannot be had soon. */
  async #writeLock(key: string): Promise<ReleaseLock | undefined> {
    const lock = new FileLock(this.#platform, this.writeLockPath(key), {
      staleMs: WRITE_LOCK_STALE_MS,
    });
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (let pauseMs = 2; ; pauseMs = Math.min(pauseMs * 2, 20)) {
      try {
        const release = await lock.tryAcquire();
        if (release) return release;
      } catch {
        return undefined;
      }
      if (Date.now() >= deadline) return undefined;
      await sleep(pauseMs * (0.5 + Math.random()));
    }
  }

  /**
   * Why the directory must not be used (a symlink, not a directory, another user's), or
   * undefined when it is safe. With `create`, a missing directory is made 0700, and a
   * directory of ours that others can read is tightened to 0700.
   */
  async checkDir({ create }: { create: boolean }): Promise<CacheDirProblem> {
    const p = this.#platform;
    // A parent this user may not search (EACCES) is a dir not to use, not a failure of the call.
    const look = () =>
      p.pathInfo(this.dir).then(
        (found) => ({ found }),
        (error: unknown) => ({ unseen: (error as { code?: string }).code ?? "error" }),
      );
    let seen = await look();
    if ("unseen" in seen) return this.#problem(`cannot look at it (${seen.unseen})`);
    let info = seen.found;
    if (!info && create) {
      try {
        await p.makeDirectory(this.dir);
      } catch (error) {
        return this.#problem(`cannot create it (${(error as Error).message})`);
      }
      seen = await look();
      if ("unseen" in seen) return this.#problem(`cannot look at it (${seen.unseen})`);
      info = seen.found;
    }
    if (!info) return undefined;
    if (info.kind === "symlink") return this.#problem("it is a symlink");
    if (info.kind !== "directory") return this.#problem("it is not a directory");
    const uid = p.uid();
    if (uid !== undefined && info.uid !== undefined && info.uid !== uid) {
      return this.#problem(`it is owned by another user (uid ${info.uid})`);
    }
    if ((info.mode & 0o077) !== 0 && create) {
      try {
        await p.setMode(this.dir, 0o700);
      } catch (error) {
        return this.#problem(`cannot make it private (${(error as Error).message})`);
      }
    }
    return undefined;
  }

  #problem(reason: string): string {
    const message = `not using cache dir ${this.dir}: ${reason}; tokens are kept in memory only`;
    this.#warnOnce(message);
    return message;
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#warn(message);
  }
}
