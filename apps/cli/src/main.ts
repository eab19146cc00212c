#!/usr/bin/env bun
/**
 * openclaw-auth's entry: the warm path of `token`, else the dispatcher (cli.ts).
 *
 * A script calls `token` once per process, so its start-up is what users pay for. In Bun every
 * further module costs a few milliseconds, the runtime (zod, dotenv) more than Bun's own start-up,
 * and `process.stdout` alone ~25 ms (it builds a Node stream). So `token` with a fresh token in
 * the cache file is served from here and warm-token.ts, with core's `./cache` and `./config` rules
 * (which import nothing), node:fs for the one file read, and nothing else; everything else is
 * loaded on demand by cli.ts. Nothing imports this module: it is only the entry.
 *
 * The rules are core's, not copies: the plain configuration and .env reader, the cache key and
 * file name, the size limit, the cache-file parse and the freshness test (taking the largest
 * refresh jitter). Whenever anything is not plain (a variable core's plain rules do not check, an
 * unusual .env line, an option other than --json/--quiet/--env-file/--base, a file it would
 * refuse, a token near its refresh point) it leaves the decision to the runtime, so it can only
 * make `token` faster, never different. test/fast-token.test.ts compares it with the runtime.
 */
import * as fs from "node:fs";
import { formatToken, readWarmToken, startEnvironment } from "./warm-token.ts";

/**
 * The argv forms the warm path takes: `token` with --json, -q/--quiet, --env-file, --base
 * (in any order, global options before or after). Undefined for anything else.
 */
function warmArgs(argv: readonly string[]) {
  let token = false;
  let json = false;
  let envFile: string | undefined;
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (arg === "token" && !token) token = true;
    else if (arg === "--json" && !json) json = true;
    else if (arg === "-q" || arg === "--quiet") continue;
    else if (name === "--env-file" || name === "--base") {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("-"))) return;
      if (name === "--env-file") envFile = value;
      else base = value;
    } else return undefined;
  }
  return token ? { json, envFile, base } : undefined;
}

/**
 * Writes `text` to `fd` synchronously (node:fs is loaded already; `process.stdout` is not, see
 * the module comment), going on after a partial write; EAGAIN on a non-blocking pipe waits.
 */
function writeAll(fd: number, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(fs.writeSync(fd, bytes));
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      Bun.sleepSync(1);
    }
  }
}

/** Serves `token` from the cache file if it can; false leaves the command to cli.ts. */
async function tryWarmToken(argv: readonly string[]): Promise<boolean> {
  const args = warmArgs(argv);
  if (!args) return false;
  const started = startEnvironment();
  const env = args.base === undefined ? started : { ...started, AUTH_BASE: args.base };
  const token = readWarmToken(env, args.envFile);
  if (!token) return false;
  writeAll(1, formatToken({ ...token, source: "cache" }, args.json));
  return true;
}

if (import.meta.main) {
  // No top-level await: the compiled executable is bytecode, which does not allow it.
  const argv = process.argv.slice(2);
  tryWarmToken(argv)
    .then(async (served) => (served ? 0 : (await import("./cli.ts")).main(argv)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        // Only a failed write of the token gets here (cli.ts reports its own errors).
        console.error(`openclaw-auth: OUTPUT_ERROR: ${(error as Error).message}`);
        process.exitCode = 1;
      },
    );
}
