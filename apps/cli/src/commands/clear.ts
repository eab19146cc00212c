/**
 * `clear [--json]`: removes what this config's key owns in the cache dir (its cached token, its
 * lock files, the discovery of its issuer, and the temp files of each); other keys' files are
 * left alone. Each file is named on stderr; `--json` lists their names on stdout as well.
 */
import { clearCachedToken, type EnvConfig } from "@openclaw/auth-runtime";
import type { FileTokenStore } from "@openclaw/auth-runtime/adapter";
import { cacheKeyFromDigest, discoveryFileName, lockFileName } from "@openclaw/auth-runtime/cache";
import type { CommandLine } from "../args.ts";
import { cacheFilesOf, loadConfig, platform, tokenManagerFor } from "../context.ts";
import { ExitCode, note, warn, writeJson } from "../output.ts";

/**
 * The names the runtime writes for `key` beside its cache file: the cross-process lock, the
 * write lock, the takeover guard of each (file-lock.ts), and the discovery file of the issuer
 * when the config discovers its token endpoint (keyed by the issuer as configured).
 */
function ownedNames(config: EnvConfig, files: FileTokenStore, key: string): string[] {
  const nameOf = (path: string) => path.slice(files.dir.length + 1);
  const locks = [lockFileName(key), nameOf(files.writeLockPath(key))];
  const names = [...locks, ...locks.map((lock) => `${lock}.takeover`)];
  if (config.issuer !== undefined) {
    const hash = cacheKeyFromDigest(platform.sha256Hex(config.issuer));
    names.push(discoveryFileName(hash));
  }
  return names;
}

/**
 * The files of `key` other than its cache file that are there now: `names`, and the temp files
 * of any of them or of the cache file (`<target>.<pid>.<n>.<random>.tmp`, platform.ts). Nothing
 * in a dir the runtime does not use (a symlink, another user's): it writes nothing there either.
 */
async function otherFilesOf(config: EnvConfig, files: FileTokenStore, key: string) {
  if (await files.checkDir({ create: false })) return [];
  const cacheFile = files.filePath(key).slice(files.dir.length + 1);
  const names = ownedNames(config, files, key);
  const targets = [cacheFile, ...names];
  const isTemp = (name: string) =>
    name.endsWith(".tmp") && targets.some((target) => name.startsWith(`${target}.`));
  const present = platform.listDirectory
    ? (await platform.listDirectory(files.dir)).filter((n) => names.includes(n) || isTemp(n))
    : await filterAsync(
        names,
        async (n) => (await platform.pathInfo(`${files.dir}/${n}`)) !== undefined,
      );
  return present.sort().map((name) => `${files.dir}/${name}`);
}

async function filterAsync<T>(items: readonly T[], keep: (item: T) => Promise<boolean>) {
  const kept: T[] = [];
  for (const item of items) if (await keep(item)) kept.push(item);
  return kept;
}

export async function run(cli: CommandLine): Promise<number> {
  const { dryRun, json } = cli.globals;
  const config = loadConfig(cli.globals);
  const tokenManager = tokenManagerFor(config);
  const files = cacheFilesOf(tokenManager);
  const path = files.filePath(tokenManager.key);
  // Only to say which it was: the store removes the file (and its temp files) either way.
  const existed = (await platform.pathInfo(path)) !== undefined;
  const others = await otherFilesOf(config, files, tokenManager.key);
  // --json: the names of the files removed (with --dry-run, those it would remove).
  const removed = existed ? [path] : [];
  const report = () => {
    if (!json) return;
    const names = removed.map((file) => file.slice(files.dir.length + 1));
    const out = { cacheDir: files.dir, removed: names, ...(dryRun && { dryRun: true }) };
    writeJson(out);
  };
  if (dryRun) {
    note(existed ? `dry run: would remove ${path}` : `dry run: no cached token at ${path}`);
    for (const other of others) note(`dry run: would remove ${other}`);
    removed.push(...others);
    report();
    return ExitCode.Ok;
  }
  await clearCachedToken({ config, tokenManager });
  note(existed ? `removed ${path}` : `no cached token at ${path}`);
  // A lock a live process holds goes too: its release finds the file gone and leaves it so, and
  // at worst a second token request starts meanwhile, as after a stale lock.
  for (const other of others) {
    try {
      await platform.removeFile(other);
      removed.push(other);
      note(`removed ${other}`);
    } catch (error) {
      warn(`cannot remove ${other} (${(error as { code?: string }).code ?? "error"})`);
    }
  }
  report();
  return ExitCode.Ok;
}
