#!/usr/bin/env bun
/** The dev gateway in the foreground: `bun packages/dev-gateway/src/main.ts [--port N] [--ttl S] [--client-key K]...`. */
import { parseArgs } from "node:util";
import { DEFAULT_DEV_CLIENT_KEY, type DevGatewayOptions } from "./options.ts";
import { type DevGateway, startDevGateway } from "./server.ts";

const USAGE = `Usage: openclaw-dev-gateway [options]

Runs the OpenClaw dev gateway until SIGINT or SIGTERM.
Prints one line to stdout: "dev gateway listening on <url>".

Options:
  --port N              TCP port (default 0: a free port)
  --host H              address to bind (default 127.0.0.1)
  --ttl S               token lifetime in seconds (default 900)
  --client-key K        accepted client key; repeat for several (default ${DEFAULT_DEV_CLIENT_KEY})
  --session-path P      token endpoint path (default /auth/session)
  --admin               serve the admin API under /__admin/ (stats, faults, revoke, stop)
  -h, --help            this help
`;

/** Option names in startDevGateway's TypeErrors, spelled as the flags the user typed. */
const FLAG_FOR_OPTION: Readonly<Record<string, string>> = {
  port: "--port",
  hostname: "--host",
  ttlSec: "--ttl",
  clientKeys: "--client-key",
  sessionPath: "--session-path",
  admin: "--admin",
};

/** One line on stderr and exit code 2, as the CLI does for usage errors. */
function usageError(message: string): never {
  process.stderr.write(`dev-gateway: ${message} (see --help)\n`);
  process.exit(2);
}

function parseNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) usageError(`${flag} must be a number`);
  return n;
}

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  ttl: { type: "string" },
  "client-key": { type: "string", multiple: true },
  "session-path": { type: "string" },
  admin: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The gateway options from argv, or "help". */
function parseCommandLine(args: string[]): DevGatewayOptions | "help" {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // parseArgs names the unknown flag; a key value only appears after a known flag, never here.
    usageError(error instanceof Error ? error.message : "bad arguments");
  }
  if (values.help) return "help";
  const port = parseNumber(values.port, "--port");
  const ttlSec = parseNumber(values.ttl, "--ttl");
  return {
    ...(port !== undefined && { port }),
    ...(values.host !== undefined && { hostname: values.host }),
    ...(ttlSec !== undefined && { ttlSec }),
    ...(values["client-key"] !== undefined && { clientKeys: values["client-key"] }),
    ...(values["session-path"] !== undefined && { sessionPath: values["session-path"] }),
    ...(values.admin === true && { admin: true }),
  };
}

const options = parseCommandLine(process.argv.slice(2));
if (options === "help") {
  process.stdout.write(USAGE);
  process.exit(0);
}

let gateway: DevGateway;
try {
  gateway = startDevGateway(options);
} catch (error) {
  if (error instanceof TypeError) {
    usageError(
      error.message.replace(/^options\.(\w+)(\[\d+\])?/, (_, name: string) => {
        return FLAG_FOR_OPTION[name] ?? name;
      }),
    );
  }
  // Bun's listen errors (e.g. the port is taken) carry no key: the key is never an argument to them.
  process.stderr.write(`dev-gateway: cannot listen: ${String(error)}\n`);
  process.exit(1);
}

process.stdout.write(`dev gateway listening on ${gateway.url}\n`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await gateway.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
