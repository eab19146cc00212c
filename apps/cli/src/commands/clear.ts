/** `clear`: removes this config's cached token; other configs' files are left alone. */
import { cacheFilePath, clearCachedToken } from "@openclaw/auth-runtime";
import { runtime } from "@openclaw/auth-runtime/adapter";
import type { CommandLine } from "../args.ts";
import { loadConfig, tokenManagerFor } from "../context.ts";
import { ExitCode, note } from "../output.ts";

export async function run(cli: CommandLine): Promise<number> {
  const config = loadConfig(cli.globals);
  const path = cacheFilePath(config);
  const existed = (await runtime.platform.pathInfo(path)) !== undefined;
  if (cli.globals.dryRun) {
    note(existed ? `dry run: would remove ${path}` : `dry run: no cached token at ${path}`);
    return ExitCode.Ok;
  }
  await clearCachedToken({ config, tokenManager: tokenManagerFor(config) });
  note(existed ? `removed ${path}` : `no cached token at ${path}`);
  return ExitCode.Ok;
}
