/**
 * `token [--refresh] [--json]`: the access token on stdout, the only place the CLI prints one.
 * (A fresh token in the cache file was already served by main.ts without loading this module.)
 */
import { getAccessTokenInfo } from "@openclaw/auth-runtime";
import type { CommandLine } from "../args.ts";
import { loadConfig, tokenManagerFor } from "../context.ts";
import { addSecret, ExitCode, note, writeToken } from "../output.ts";
import { warmPath } from "../warm-path.ts";

export async function run(cli: CommandLine): Promise<number> {
  const { globals } = cli;
  const json = cli.globals.json;
  const config = loadConfig(globals);
  if (globals.dryRun) {
    const info = await getAccessTokenInfo({ config, dryRun: true });
    note("dry run: no token request, no cache; this token is a placeholder");
    writeToken(warmPath().formatToken(info, json, true));
    return ExitCode.Ok;
  }
  const tokenManager = tokenManagerFor(config);
  // refresh() rather than refreshAccessToken(): the same call, with the token's lifetime and source.
  const info = cli.values.refresh
    ? await tokenManager.refresh()
    : await getAccessTokenInfo({ config, tokenManager });
  addSecret(info.accessToken);
  writeToken(warmPath().formatToken(info, json));
  return ExitCode.Ok;
}
