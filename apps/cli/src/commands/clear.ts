/** `clear`: removes this config's cached token; other configs' files are left alone. */
import { clearCachedToken } from "@openclaw/auth-runtime";
import type { CommandLine } from "../args.ts";
import { cacheFilesOf, loadConfig, platform, tokenManagerFor } from "../context.ts";
import { ExitCode, note } from "../output.ts";

export async function run(cli: CommandLine): Promise<number> {
  const config = loadConfig(cli.globals);
  const tokenManager = tokenManagerFor(config);
  const path = cacheFilesOf(tokenManager).filePath(tokenManager.key);
  // Only to say which it was: the store removes the file (and its temp files) either way.
  const existed = (await platform.pathInfo(path)) !== undefined;
  if (cli.globals.dryRun) {
    note(existed ? `dry run: would remove ${path}` : `dry run: no cached token at ${path}`);
    return ExitCode.Ok;
  }
  await clearCachedToken({ config, tokenManager });
  note(existed ? `removed ${path}` : `no cached token at ${path}`);
  return ExitCode.Ok;
}
