/**
 * `doctor [--json]`: one line per check (config, cache dir, gateway), each ok, warn or fail.
 * The config line names the grant; for client_credentials also the token endpoint (or the issuer
 * that names it) and the client authentication. The gateway check proves the key with a real
 * token request through the runtime, for either grant (memory only, one attempt): a reachable gateway that refuses the key, or a wrong AUTH_SESSION_PATH, fails
 * with exit code 3, as `token` would. Never prints the token or the client key, never creates
 * or changes anything.
 */
import {
  type ConfigSource,
  createEnvConfig,
  createTokenManager,
  type EnvConfig,
} from "@openclaw/auth-runtime";
import { withAttemptTimeout } from "@openclaw/auth-runtime/adapter";
import type { CommandLine } from "../args.ts";
import { cacheFilesOf, loadConfig, platform, tokenManagerFor } from "../context.ts";
import { displayUrl } from "../display.ts";
import { cliEnvironment, envFileOf, startEnvironment } from "../env.ts";
import {
  addSecret,
  type Color,
  ExitCode,
  paint,
  redact,
  runtimeExitCode,
  safeLine,
  warn,
  writeOut,
} from "../output.ts";

type Level = "ok" | "warn" | "fail" | "skip";

interface Check {
  readonly check: "config" | "cache dir" | "gateway";
  readonly level: Level;
  readonly message: string;
  /** The exit code when this check fails (not printed). */
  readonly exitCode?: ExitCode;
}

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
 * Where the token request goes: the session path on AUTH_BASE, the token endpoint as the
 * runtime resolves AUTH_TOKEN_URL (a path is appended to AUTH_BASE), or the issuer to discover.
 */
function tokenRequestTarget(config: EnvConfig): string {
  if (config.grant !== "client_credentials") {
    return displayUrl(`${config.authBase}${config.sessionPath}`);
  }
  const { tokenUrl } = config;
  if (tokenUrl === undefined) return `the issuer ${displayUrl(config.issuer ?? "")}`;
  return displayUrl(tokenUrl.startsWith("/") ? `${config.authBase}${tokenUrl}` : tokenUrl);
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

/** The cache dir as the runtime judges it (FileTokenStore.checkDir), and how private it is. */
async function checkCacheDir(config: EnvConfig): Promise<Check> {
  const dir = config.cacheDir;
  // The problem is this check's message, not a warning as well.
  const files = cacheFilesOf(tokenManagerFor(config, () => {}));
  const problem = await files.checkDir({ create: false });
  if (problem) {
    return {
      check: "cache dir",
      level: "fail",
      message: `${problem} (set AUTH_CACHE_DIR to a dir of your own)`,
    };
  }
  const info = await platform.pathInfo(dir);
  if (!info) {
    return {
      check: "cache dir",
      level: "ok",
      message: `${dir} does not exist yet; it is created 0700 with the first token`,
    };
  }
  const mode = `0${info.mode.toString(8).padStart(3, "0")}`;
  // The runtime uses such a dir and tightens it when it next writes a token (checkDir create).
  if ((info.mode & 0o077) !== 0) {
    return {
      check: "cache dir",
      level: "warn",
      message: `${dir} has mode ${mode}: others can see it; it is made 0700 at the next token write`,
    };
  }
  return { check: "cache dir", level: "ok", message: `${dir} is private (${mode}) and yours` };
}

/**
 * Proves the key: one token request through the runtime (no retries, nothing cached), as
 * `token --refresh` would send it. The token is registered as a secret and never shown.
 */
async function checkKey(config: EnvConfig): Promise<Check> {
  const where = tokenRequestTarget(config);
  const what = config.grant === "client_credentials" ? "the client credentials" : "the key";
  const manager = createTokenManager({
    config,
    store: null,
    retry: { limit: 0 },
    onWarning: () => {},
  });
  const started = performance.now();
  try {
    const info = await manager.refresh();
    addSecret(info.accessToken);
    const ms = Math.round(performance.now() - started);
    const lifetime = Math.max(0, Math.round(info.expiresAt - Date.now() / 1000));
    return {
      check: "gateway",
      level: "ok",
      message: `${where} accepted ${what} in ${ms} ms (a token valid for ${lifetime} s; not kept)`,
    };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "ERROR";
    const message = error instanceof Error ? error.message : String(error);
    const exitCode = runtimeExitCode(error) ?? ExitCode.Network;
    const detail = `${code}: ${message}`;
    return {
      check: "gateway",
      level: "fail",
      message:
        exitCode === ExitCode.Auth
          ? `${where} refused the token request: ${detail}`
          : `${where}: no answer (${detail})`,
      exitCode,
    };
  }
}

/**
 * Without a usable key: whether the gateway answers at all (any HTTP answer within the timeout;
 * the dev gateway answers GET /health).
 */
async function checkGateway(config: EnvConfig): Promise<Check> {
  const url = `${config.authBase}/health`;
  const started = performance.now();
  try {
    // The runtime's per-attempt timeout, as its own requests have it.
    const response = await withAttemptTimeout(config.timeoutMs, undefined, async (signal) => {
      const answer = await fetch(url, { redirect: "manual", signal });
      await answer.body?.cancel();
      return answer;
    });
    const ms = Math.round(performance.now() - started);
    return {
      check: "gateway",
      level: "ok",
      message: `${displayUrl(config.authBase)} answered HTTP ${response.status} to GET /health in ${ms} ms`,
    };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reason =
      name === "TimeoutError"
        ? `no answer within ${config.timeoutMs} ms (AUTH_TIMEOUT_MS)`
        : `no answer (${error instanceof Error ? error.message : String(error)})`;
    return {
      check: "gateway",
      level: "fail",
      message: `${displayUrl(config.authBase)}: ${reason}`,
      exitCode: ExitCode.Network,
    };
  }
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
  if (cli.globals.json) {
    writeOut(`${await redact(JSON.stringify(shown))}\n`);
  } else {
    const lines = shown.map(
      (c) => `${paint(1, LEVEL_COLOR[c.level], c.level.padEnd(4))}  ${c.check}: ${c.message}\n`,
    );
    writeOut(lines.join(""));
  }
  const failed = checks.find((c) => c.level === "fail");
  if (!failed) return ExitCode.Ok;
  return failed.exitCode ?? ExitCode.Usage;
}
