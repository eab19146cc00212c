/**
 * `doctor [--json]`: one line per check (config, cache dir, gateway), each ok, warn or fail
 * (`--json`: one object, `{ok, exitCode, checks}`).
 * The config line names the grant; for client_credentials also the token endpoint (or the
 * issuer that names it) and the client authentication. The cache-dir check (doctor/cache-dir.ts)
 * says what `token` will do with the dir; the gateway check (doctor/gateway.ts) proves the key
 * with a real token request: a reachable gateway that refuses the key, or a wrong
 * AUTH_SESSION_PATH, fails with exit code 3, as `token` would. Never prints the token or the
 * client key, never creates or changes anything.
 */
import { type ConfigSource, createEnvConfig, type EnvConfig } from "@openclaw/auth-runtime";
import type { CommandLine } from "../args.ts";
import { loadConfig } from "../context.ts";
import { displayUrl } from "../display.ts";
import { cliEnvironment, envFileOf, startEnvironment } from "../env.ts";
import { type Color, ExitCode, safeLine, warn, writeJson, writeLine } from "../output.ts";
import { checkCacheDir } from "./doctor/cache-dir.ts";
import type { Check, Level } from "./doctor/check.ts";
import { checkGateway, checkKey, tokenRequestTarget } from "./doctor/gateway.ts";

const LEVEL_COLOR: Readonly<Record<Level, Color>> = {
  ok: "green",
  warn: "yellow",
  fail: "red",
  skip: "dim",
};

/** The config check, and a config for the other checks even when CLIENT_KEY is missing. */
function checkConfig(cli: CommandLine): { checks: Check[]; config: EnvConfig | undefined } {
  try {
    const config = loadConfig(cli.globals);
    const source = sourceName(config.sources.CLIENT_KEY);
    // "(the default)" only when nothing set it: an exported default is the user's choice.
    const isDefault = config.sources.AUTH_BASE?.kind === "default";
    const base = `AUTH_BASE ${displayUrl(config.authBase)}${isDefault ? " (the default)" : ""}`;
    const checks: Check[] = [
      {
        check: "config",
        level: "ok",
        message: `CLIENT_KEY from ${source}; ${base}${grantOf(config)}; ${sourcesOf(config)}`,
      },
    ];
    // Bun loads .env, .env.local, .env.<NODE_ENV> into process.env; the CLI reads only the
    // environment it was started with, then the .env file (see env.ts).
    const bunLoaded = process.env.CLIENT_KEY?.trim();
    if (bunLoaded && bunLoaded !== config.clientKey && startEnvironment() !== process.env) {
      checks.push({
        check: "config",
        level: "warn",
        message:
          "bun loaded another CLIENT_KEY from a .env* file into process.env; openclaw-auth uses " +
          `the environment it was started with, then ${envFileOf(cli.globals)}`,
      });
    }
    return { checks, config };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "ERROR";
    const message = error instanceof Error ? error.message : String(error);
    const checks: Check[] = [{ check: "config", level: "fail", message: `${code}: ${message}` }];
    // Without a client key the cache dir and the gateway can still be checked.
    try {
      const env = { ...cliEnvironment(cli.globals), CLIENT_KEY: "doctor-placeholder-key" };
      const envFile = envFileOf(cli.globals);
      return { checks, config: createEnvConfig(env, { envFile, onWarning: warn }) };
    } catch {
      return { checks, config: undefined };
    }
  }
}

/** A variable's source as the config line names it: the environment, or the file's path. */
function sourceName(source: ConfigSource | undefined): string {
  if (source === undefined || source.kind === "default") return "the default";
  if (source.kind === "env") return "the environment";
  return source.kind === "options" ? "options" : source.path;
}

/**
 * Which source set which variables, e.g. `set in the environment: CLIENT_KEY; in .env:
 * AUTH_BASE`: names and sources only, never a value. The rest have their defaults.
 */
function sourcesOf(config: EnvConfig): string {
  const bySource = new Map<string, string[]>();
  for (const [name, source] of Object.entries(config.sources)) {
    if (source.kind === "default") continue;
    const where = sourceName(source);
    bySource.set(where, [...(bySource.get(where) ?? []), name]);
  }
  return `set ${[...bySource].map(([where, names]) => `in ${where}: ${names.join(", ")}`).join("; ")}`;
}

/**
 * The grant, for the config line: nothing for the session grant (the default, its line as it
 * always was); for OAuth, where the token request goes and how the client authenticates.
 */
function grantOf(config: EnvConfig): string {
  if (config.grant !== "client_credentials") return "";
  const where =
    config.tokenUrl === undefined
      ? `AUTH_ISSUER ${displayUrl(config.issuer ?? "")} (token endpoint discovered)`
      : `token endpoint ${tokenRequestTarget(config)}`;
  return `; grant client_credentials, client ${config.clientId ?? ""} by ${config.clientAuth}, ${where}`;
}

export async function run(cli: CommandLine): Promise<number> {
  const { checks, config } = checkConfig(cli);
  if (config) {
    const keyKnown = checks[0]?.level === "ok";
    checks.push(await checkCacheDir(config));
    checks.push(
      cli.globals.dryRun
        ? { check: "gateway", level: "skip", message: "dry run: not contacted" }
        : keyKnown
          ? await checkKey(config)
          : await checkGateway(config),
    );
  } else {
    checks.push({ check: "cache dir", level: "skip", message: "needs a valid config" });
    checks.push({ check: "gateway", level: "skip", message: "needs a valid config" });
  }

  // A message may quote the gateway (an error body, an OAuth error description): one line,
  // redacted, its control characters escaped, as on stderr.
  const shown: Pick<Check, "check" | "level" | "message">[] = [];
  for (const { check, level, message } of checks) {
    shown.push({ check, level, message: await safeLine(message) });
  }
  const failed = checks.find((c) => c.level === "fail");
  const exitCode = failed ? (failed.exitCode ?? ExitCode.Usage) : ExitCode.Ok;
  if (cli.globals.json) {
    writeJson({ ok: exitCode === ExitCode.Ok, exitCode, checks: shown });
  } else {
    for (const c of shown)
      writeLine([LEVEL_COLOR[c.level], c.level.padEnd(4)], `  ${c.check}: `, c.message);
  }
  return exitCode;
}
