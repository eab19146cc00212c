/** The cache file store of DESIGN.md: `{cacheDir}/token_<hash>.json`, shared with the Python port. */
import { FileLock } from "./file-lock.ts";
import type { Platform } from "./platform.ts";
import { type CachedToken, parseCacheFile, toCacheFile } from "./schemas.ts";
import type { ReleaseLock, TokenStore } from "./token-store.ts";

export interface FileTokenStoreOptions {
  /** The cache directory; created 0700 when missing. */
  readonly dir: string;
  /**
   * Told once per problem when the directory or a file cannot be used safely.
   * @default console.warn
   */
  readonly onWarning?: ((message: string) => void) | undefined;
}

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
    this.#warn = options.onWarning ?? ((message) => console.warn(`openclaw-auth: ${message}`));
  }

  /** Path of the cache file for `key`. */
  filePath(key: string): string {
    return `${this.dir}/token_${key}.json`;
  }

  /** Path of the lock file for `key`. */
  lockPath(key: string): string {
    return `${this.dir}/token_${key}.lock`;
  }

  describe(key: string): string {
    return this.filePath(key);
  }

  async get(key: string): Promise<CachedToken | undefined> {
    this.#dirChecked ??= this.checkDir({ create: false });
    if (await this.#dirChecked) return undefined;
    const read = await this.#platform.readPrivateFile(this.filePath(key));
    if (read.status === "refused") {
      this.#warnOnce(`not using cache file ${this.filePath(key)}: ${read.reason}`);
      return undefined;
    }
    return read.status === "ok" ? parseCacheFile(read.text) : undefined;
  }

  async set(key: string, token: CachedToken): Promise<void> {
    this.#dirChecked = this.checkDir({ create: true });
    if (await this.#dirChecked) return;
    const current = await this.get(key);
    if (current && current.expiresAt > token.expiresAt) return;
    await this.#platform.writeFileAtomic(this.filePath(key), JSON.stringify(toCacheFile(token)));
  }

  async delete(key: string): Promise<void> {
    await this.#platform.removeFile(this.filePath(key));
  }

  async tryLock(key: string): Promise<ReleaseLock | undefined> {
    this.#dirChecked = this.checkDir({ create: true });
    // An unusable directory means no shared cache, so there is nothing to coordinate.
    if (await this.#dirChecked) return async () => {};
    return new FileLock(this.#platform, this.lockPath(key)).tryAcquire();
  }

  /**
   * Why the directory must not be used (a symlink, not a directory, another user's), or
   * undefined when it is safe. With `create`, a missing directory is made 0700, and a
   * directory of ours that others can read is tightened to 0700.
   */
  async checkDir({ create }: { create: boolean }): Promise<CacheDirProblem> {
    const p = this.#platform;
    let info = await p.pathInfo(this.dir);
    if (!info && create) {
      try {
        await p.makeDirectory(this.dir);
      } catch (error) {
        return this.#problem(`cannot create it (${(error as Error).message})`);
      }
      info = await p.pathInfo(this.dir);
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
