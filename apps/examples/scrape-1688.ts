/**
 * Seed example 2: scrape 1688 offers through the gateway and print each one's title and price.
 *
 *   AUTH_BASE=https://gw.example.com CLIENT_KEY=… bun apps/examples/scrape-1688.ts \
 *     https://detail.1688.com/offer/610947572360.html [more URLs or offer ids…] [--json]
 *
 * Exit codes (as the CLI): 0 ok, 1 the scrape failed, 2 bad URL or config, 3 auth refused,
 * 4 gateway unreachable. Errors are one line on stderr and never contain the key or a token.
 */
import { parseArgs } from "node:util";
import { createEnvConfig } from "@openclaw/auth-runtime";
import { ExampleError, ExitCode, runExample } from "./lib/exit.ts";
import { checkOfferUrl, formatPrice, type ScrapedOffer, scrapeOffer } from "./lib/scrape.ts";

const HELP = `Usage: bun apps/examples/scrape-1688.ts [--json] <offer>...

Scrapes each 1688 offer through the gateway (AUTH_BASE, with CLIENT_KEY from the environment
or ./.env) and prints its title and price; with several offers, each block starts with its
offer id and blocks are separated by a blank line. Every offer is checked before any request.

An offer is its page, https://detail.1688.com/offer/610947572360.html or
https://m.1688.com/offer/610947572360.html, or its id alone, 610947572360.

Options:
  --json      one JSON object per offer and line: {"url","offerId","title","price","currency"};
              an error as {"error":{"code","message"}} on stderr
  -h, --help  this help

Exit codes: 0 ok, 1 a scrape failed, 2 bad arguments or config, 3 auth refused, 4 no answer.
`;

/** An argument that may be repeated in a message: a plain option name, never a pasted value. */
const showable = (arg: string) => /^--?[a-z][a-z-]{0,19}$/.test(arg);

/** The offers to scrape and the output form, or a usage error (exit 2) naming what is wrong. */
function parseCommandLine(args: string[]): { urls: string[]; json: boolean } | "help" {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    const flag = /'(-[^'=]*)/.exec(error instanceof Error ? error.message : "")?.[1] ?? "";
    const named = showable(flag) ? ` '${flag}'` : "";
    throw new ExampleError(`unknown option${named} (see --help)`, ExitCode.Usage);
  }
  if (parsed.values.help) return "help";
  const { positionals } = parsed;
  if (positionals.length === 0) checkOfferUrl(undefined);
  const urls = positionals.map((arg, i) =>
    checkOfferUrl(arg, positionals.length === 1 ? undefined : `argument ${i + 1}`),
  );
  return { urls, json: parsed.values.json === true };
}

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const idOf = (url: string) => /\/offer\/(\d+)\.html/.exec(url)?.[1] ?? "";

function print(url: string, offer: ScrapedOffer, json: boolean, several: boolean, first: boolean) {
  if (json) {
    const { title, price, currency } = offer;
    const line = { url, offerId: offer.offerId ?? idOf(url), title, price, currency };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const header = several ? `${first ? "" : "\n"}offer: ${offer.offerId ?? idOf(url)}\n` : "";
  process.stdout.write(`${header}title: ${offer.title}\nprice: ${formatPrice(offer)}\n`);
}

const argv = process.argv.slice(2);
await runExample(
  async () => {
    const command = parseCommandLine(argv);
    if (command === "help") {
      process.stdout.write(HELP);
      return;
    }
    const config = createEnvConfig();
    // One after another: the first fetches the token, the others reuse it (and a failure stops
    // the run with its exit code, after the offers already printed).
    for (const [i, url] of command.urls.entries()) {
      const offer = await scrapeOffer(url, { config });
      print(url, offer, command.json, command.urls.length > 1, i === 0);
    }
  },
  // --json decides the error form even when the command line itself is wrong.
  { json: argv.includes("--json") },
);
