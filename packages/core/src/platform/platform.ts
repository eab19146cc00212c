/** The one interface through which the runtime touches files, processes, hashing and the clock. */

/** The `fetch` the runtime calls; inject one to route or instrument requests. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What `new Headers(...)` takes. */
export type HeadersInit = ConstructorParameters<typeof Headers>[0];

/** The proxy a request used: its origin (never its userinfo) and the variable that named it. */
export interface ProxyUse {
  /** `http://host:port`, or `the proxy in <variable>` text when the value is not a URL. */
  readonly origin: string;
  readonly variable: string;
  /**
   * The proxy's credentials, to redact (see {@link proxyCredentials}): an error of the proxy, or
   * its 407 answer, may echo them.
   */
  readonly secrets?: readonly string[] | undefined;
}

/** The outcome of reading a `.env` file: its text, no file there, or why it was not read. */
export type EnvFileRead =
  | { readonly status: "ok"; readonly text: string }
  | { readonly status: "missing" }
  | { readonly status: "refused"; readonly reason: string };

/** What a path is, seen without following a final symlink. */
export interface PathInfo {
  readonly kind: "file" | "directory" | "symlink" | "other";
  /** Owner uid, where the OS has one. */
  readonly uid: number | undefined;
  /** Permission bits (`mode & 0o777`). */
  readonly mode: number;
  readonly mtimeMs: number;
}

/**
 * The temp file name {@link Platform.writeFileAtomic} and {@link Platform.createFileExclusive}
 * use beside their target: `<target>.<pid>.<n>.<random>.tmp`. The pid tells a sweeper whether
 * its writer can still rename it into place.
 */
const TEMP_NAME = /^(.+)\.([1-9][0-9]{0,9})\.[0-9]+\.[0-9a-z]*\.tmp$/;

/** The target file name and writer pid of a temp file name, or undefined for any other name. */
export function parseTempName(name: string): { target: string; pid: number } | undefined {
  const match = TEMP_NAME.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  return { target: match[1], pid: Number(match[2]) };
}

/** Result of reading a private file. */
export type PrivateFileRead =
  | { readonly status: "ok"; readonly text: string }
  | { readonly status: "missing" }
  | { readonly status: "refused"; readonly reason: string };

/**
 * Runtime services the token logic needs. Bun and Node each provide one (bun/, posix/ and the Node package);
 * every method that can fail with a missing path reports it as a value, not a throw.
 */
export interface Platform {
  /**
   * True when the runtime's fetch lets go of an AbortSignal once its exchange ends, so a signal
   * that never fired can serve the next request (attempt-timeout.ts). @default false
   */
  readonly fetchReleasesSignals?: boolean;
  /**
   * The fetch the runtime calls when the caller passes none, where the global one will not do:
   * Bun's keeps inflating a compressed body after it was cancelled, so Bun's platform decodes
   * bodies itself (body-decoding.ts). It must let go of signals as the global one does.
   * @default the global fetch
   */
  readonly fetch?: FetchLike;
  /**
   * The proxy the platform's fetch sends a request for `url` through (Bun's honours
   * HTTP_PROXY, HTTPS_PROXY and NO_PROXY; Node 20's none), so that a failed connection names
   * it. Asked only when a request failed. @default no proxy
   */
  readonly proxyFor?: (url: string) => ProxyUse | undefined;
  /** Hex SHA-256 of the UTF-8 bytes of `text`. */
  sha256Hex(text: string): string;
  hostname(): string;
  pid(): number;
  /** Effective uid of this process, where the OS has one. */
  uid(): number | undefined;
  /** False only when `pid` certainly does not exist on this host. */
  isProcessAlive(pid: number): boolean;

  /**
   * Reads a `.env` file synchronously (a config is built synchronously) by the rule of
   * env-file.ts's `envFileRefusal`: a regular file of this user or root, not writable by group
   * or others, at most 64 KiB; anything else "refused" with the reason, never read, never waited
   * on (a FIFO, a device). Its `readEnvFileWith` over node:fs is the implementation.
   */
  readEnvFileSync(path: string): EnvFileRead;
  /**
   * The working directory, absolute: a process inside a skills folder also reads the folder's
   * shared env file (env-file.ts's `sharedEnvFileOf`). Without it, no shared file is read.
   */
  cwd?(): string;
  /**
   * Reads a file that must be a regular file owned by this user, without following a symlink
   * at `path` (O_NOFOLLOW): anything else is "refused", and so is a file larger than `maxBytes`
   * (its size is checked before anything is read): the caller knows what the file is, and so
   * how large it may be.
   */
  readPrivateFile(path: string, maxBytes: number): Promise<PrivateFileRead>;
  /**
   * Writes `text` to a new temp file (0600) in the same directory (named as
   * {@link parseTempName} reads), then renames it over `path`. A write that fails removes its
   * temp file.
   */
  writeFileAtomic(path: string, text: string): Promise<void>;
  /** Creates `path` with `text` only if nothing is there (O_EXCL, 0600); false if it exists. */
  createFileExclusive(path: string, text: string): Promise<boolean>;
  /** Removes a file; a missing one is not an error. */
  removeFile(path: string): Promise<void>;
  /**
   * The names in a directory ([] when it does not exist). Without it, temp files left by killed
   * writers are not swept.
   */
  listDirectory?(path: string): Promise<string[]>;
  /** lstat: what is at `path`, undefined when nothing is. */
  pathInfo(path: string): Promise<PathInfo | undefined>;
  /** mkdir -p with mode 0700 for the last component. */
  makeDirectory(path: string): Promise<void>;
  /** chmod. */
  setMode(path: string, mode: number): Promise<void>;
  /**
   * Watches a directory: `onChange(name)` for each entry created, replaced, changed or removed
   * in it (`name` undefined when the OS did not say which). Returns the function that stops
   * watching, or undefined when the directory cannot be watched (then waiters poll). The watch
   * keeps no process alive. Without it, waiters poll.
   */
  watchDirectory?(
    path: string,
    onChange: (name: string | undefined) => void,
  ): (() => void) | undefined;
}
