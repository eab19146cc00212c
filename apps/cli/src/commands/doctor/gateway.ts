/**
 * `doctor`'s gateway check: with a key, one real token request through the runtime (either
 * grant, no retries, nothing cached), as `token --refresh` would send it; without one, whether
 * `GET {AUTH_BASE}/health` gets any HTTP answer. A failure that went through a proxy (Bun's
 * fetch honours HTTP_PROXY, HTTPS_PROXY, NO_PROXY) names the proxy: it is what did not answer.
 */
import { createTokenManager, type EnvConfig } from "@openclaw/auth-runtime";
import { withAttemptTimeout } from "@openclaw/auth-runtime/adapter";
import { platform } from "../../context.ts";
import { displayUrl } from "../../display.ts";
import { addSecret, ExitCode, runtimeExitCode } from "../../output.ts";
import type { Check } from "./check.ts";

/** The URL the token request goes to, or for a discovered endpoint the issuer asked first. */
function tokenRequestUrl(config: EnvConfig): string {
  if (config.grant !== "client_credentials") return `${config.authBase}${config.sessionPath}`;
  const { tokenUrl } = config;
  if (tokenUrl === undefined) return config.issuer ?? "";
  return tokenUrl.startsWith("/") ? `${config.authBase}${tokenUrl}` : tokenUrl;
}

/**
 * Where the token request goes, as the lines show it: the session path on AUTH_BASE, the token
 * endpoint as the runtime resolves AUTH_TOKEN_URL (a path is appended to AUTH_BASE), or the
 * issuer to discover.
 */
export function tokenRequestTarget(config: EnvConfig): string {
  const url = displayUrl(tokenRequestUrl(config));
  return config.grant === "client_credentials" && config.tokenUrl === undefined
    ? `the issuer ${url}`
    : url;
}

/** Connection failures that mean the proxy itself did not answer (as the runtime reads them). */
const NOT_REACHED = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ConnectionRefused/;

/**
 * "no answer", or when `url` went through a proxy, which proxy and whether it answered:
 * `went through the proxy http://127.0.0.1:9 (HTTP_PROXY), which did not answer`. The proxy's
 * origin only, never its userinfo (a password); a value that is no URL is named by its variable.
 */
function noAnswer(url: string, detail: string, timedOut = false): string {
  const proxy = platform.proxyFor?.(url);
  if (!proxy) return timedOut ? `no answer ${detail}` : `no answer (${detail})`;
  const named = proxy.origin.startsWith("the proxy")
    ? proxy.origin
    : `the proxy ${proxy.origin} (${proxy.variable})`;
  if (timedOut) return `no answer ${detail}, through ${named}`;
  return NOT_REACHED.test(detail)
    ? `went through ${named}, which did not answer (${detail})`
    : `no answer through ${named} (${detail})`;
}

/**
 * Proves the key: one token request through the runtime (no retries, nothing cached), as
 * `token --refresh` would send it. The token is registered as a secret and never shown.
 */
export async function checkKey(config: EnvConfig): Promise<Check> {
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
          : `${where}: ${noAnswer(tokenRequestUrl(config), detail)}`,
      exitCode,
    };
  }
}

/**
 * Without a usable key: whether the gateway answers at all (any HTTP answer within the timeout;
 * the dev gateway answers GET /health).
 */
export async function checkGateway(config: EnvConfig): Promise<Check> {
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
    const timedOut = (error as { name?: string }).name === "TimeoutError";
    const reason = timedOut
      ? noAnswer(url, `within ${config.timeoutMs} ms (AUTH_TIMEOUT_MS)`, true)
      : noAnswer(url, error instanceof Error ? error.message : String(error));
    return {
      check: "gateway",
      level: "fail",
      message: `${displayUrl(config.authBase)}: ${reason}`,
      exitCode: ExitCode.Network,
    };
  }
}
