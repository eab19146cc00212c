/**
 * `dev-gateway [--port N] [--host H] [--ttl S] [--client-key K]... [--session-path P] [--admin]`
 * (the options of packages/dev-gateway's own bin): the dev gateway in the foreground until
 * SIGINT or SIGTERM. One line on stdout, "dev gateway listening on <url>" (`--json`:
 * `{"url"}`); keys never printed.
 */
import {
  DEFAULT_DEV_CLIENT_ID,
  DEFAULT_DEV_CLIENT_KEY,
  startDevGateway,
} from "@openclaw/dev-gateway";
import type { CommandLine } from "../args.ts";
import {
  addSecret,
  CliError,
  ExitCode,
  note,
  usageError,
  writeJson,
  writeLine,
} from "../output.ts";

/** Option names in startDevGateway's TypeErrors, spelled as the flags the user typed. */
const FLAG_FOR_OPTION: Readonly<Record<string, string>> = {
  port: "--port",
  hostname: "--host",
  ttlSec: "--ttl",
  clientKeys: "--client-key",
  sessionPath: "--session-path",
  admin: "--admin",
};

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw usageError(`${flag} must be a number`);
  return n;
}

export async function run(cli: CommandLine): Promise<number> {
  const port = numberOption(cli.values.port as string | undefined, "--port");
  const ttlSec = numberOption(cli.values.ttl as string | undefined, "--ttl");
  const clientKeys = cli.values["client-key"] as string[] | undefined;
  const hostname = cli.values.host as string | undefined;
  const sessionPath = cli.values["session-path"] as string | undefined;
  const admin = cli.values.admin === true;
  for (const key of clientKeys ?? []) addSecret(key);
  if (cli.globals.dryRun) {
    note(
      `dry run: would start the dev gateway on ${hostname ?? "127.0.0.1"}:${port ?? "<free port>"}`,
    );
    if (cli.globals.json) writeJson({ dryRun: true });
    return ExitCode.Ok;
  }

  let gateway: ReturnType<typeof startDevGateway>;
  try {
    gateway = startDevGateway({
      ...(port !== undefined && { port }),
      ...(ttlSec !== undefined && { ttlSec }),
      ...(clientKeys !== undefined && { clientKeys }),
      ...(hostname !== undefined && { hostname }),
      ...(sessionPath !== undefined && { sessionPath }),
      ...(admin && { admin }),
    });
  } catch (error) {
    if (error instanceof TypeError) {
      throw usageError(
        error.message.replace(/^options\.(\w+)(\[\d+\])?/, (_, name: string) => {
          return FLAG_FOR_OPTION[name] ?? name;
        }),
      );
    }
    // Bun's listen errors (e.g. the port is taken) carry no key: keys are not part of them.
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError("LISTEN_ERROR", `cannot start the dev gateway: ${reason}`, ExitCode.Usage);
  }

  if (cli.globals.json) writeJson({ url: gateway.url });
  else writeLine(`dev gateway listening on ${gateway.url}`);
  const keyHint = clientKeys ? "your --client-key" : DEFAULT_DEV_CLIENT_KEY;
  note(`try: AUTH_BASE=${gateway.url} CLIENT_KEY=${keyHint} openclaw-auth token`);
  note(
    `or OAuth 2.0: AUTH_GRANT=client_credentials AUTH_ISSUER=${gateway.url} AUTH_CLIENT_ID=${DEFAULT_DEV_CLIENT_ID} (same AUTH_BASE and CLIENT_KEY)`,
  );
  note("stop it with Ctrl-C");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await gateway.stop();
  return ExitCode.Ok;
}
