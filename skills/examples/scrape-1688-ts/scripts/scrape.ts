#!/usr/bin/env bun
/**
 * The 1688 scrape as an OpenClaw skill script on @openclaw/auth-runtime: each offer POSTed to
 * the gateway's /ecom/tasks/scrape with the shared, auto-refreshed token; its title and price
 * printed. The configuration (AUTH_BASE, CLIENT_KEY, AUTH_CACHE_DIR, …) is the runtime's.
 *
 *   bun scripts/scrape.ts [--json] <offer URL or id>...
 *
 * Exit codes, as openclaw-auth's: 0 ok, 1 scrape failed, 2 usage or config, 3 auth, 4 network.
 */
import { parseArgs } from "node:util";
import {
  createEnvConfig,
  isAuthRuntimeError,
  requestApiWithAutoRefresh,
} from "@openclaw/auth-runtime";

const Exit = { Ok: 0, Failed: 1, Usage: 2, Auth: 3, Network: 4 } as const;

class SkillError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The offer's detail page for a page URL (desktop or mobile) or a bare offer id. */
function offerUrl(arg: string): string {
  if (/^\d{1,20}$/.test(arg)) return `https://detail.1688.com/offer/${arg}.html`;
  const match = /^https:\/\/(?:detail|m)\.1688\.com\/offer\/(\d{1,20})\.html(?:[?#].*)?$/.exec(arg);
  if (!match) throw new SkillError("not a 1688 offer URL or id (see --help)", Exit.Usage);
  return `https://detail.1688.com/offer/${match[1]}.html`;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof SkillError) return error.exitCode;
  if (!isAuthRuntimeError(error)) return Exit.Failed;
  if (error.code === "CONFIG_ERROR") return Exit.Usage;
  if (error.code === "AUTH_SESSION_ERROR") return Exit.Auth;
  if (error.code === "AUTH_NETWORK_ERROR") return Exit.Network;
  return error.reason === "refused" ? Exit.Usage : Exit.Network;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write("Usage: bun scripts/scrape.ts [--json] <offer URL or id>...\n");
    return values.help ? Exit.Ok : Exit.Usage;
  }
  const urls = positionals.map(offerUrl);
  const config = createEnvConfig();
  for (const url of urls) {
    const response = await requestApiWithAutoRefresh({
      config,
      method: "POST",
      url: "/ecom/tasks/scrape",
      body: { url },
    });
    if (!response.ok) {
      const code = response.status === 401 || response.status === 403 ? Exit.Auth : Exit.Failed;
      throw new SkillError(`scrape failed (HTTP ${response.status})`, code);
    }
    const json = response.tryJson<Record<string, unknown>>();
    const offer = (json?.data ?? json) as Record<string, unknown> | undefined;
    const { title, price, currency } = offer ?? {};
    if (typeof title !== "string" || price === undefined) {
      throw new SkillError("unexpected scrape response (no title and price)", Exit.Failed);
    }
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ url, title, price, currency })}\n`
        : `${title}\n  price: ${String(price)}${typeof currency === "string" ? ` ${currency}` : ""}\n`,
    );
  }
  return Exit.Ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The runtime's messages never hold the key or a token.
    process.stderr.write(
      `scrape-1688-ts: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = exitCodeOf(error);
  },
);
