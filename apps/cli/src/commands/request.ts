/**
 * `request <METHOD> <URL or /path> [--data JSON|@file|-] [--header 'K: V']... [--include]`:
 * an auto-refreshing API call; the response body on stdout (`--json`: one object with the
 * status, the headers and the body); exit 0 on 2xx, 1 otherwise.
 */
import { readFileSync } from "node:fs";
import { type ApiResponse, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
import { proxyCredentials } from "@openclaw/auth-runtime/adapter";
import type { CommandLine } from "../args.ts";
import { loadConfig, platform, tokenManagerFor } from "../context.ts";
import { displayUrl } from "../display.ts";
import { requestMethod } from "../method.ts";
import {
  addSecret,
  ExitCode,
  isTerminal,
  note,
  printError,
  redact,
  type Span,
  usageError,
  writeData,
  writeErr,
  writeJson,
  writeLine,
} from "../output.ts";

interface Body {
  readonly body: string | Uint8Array;
  /** True when the body is JSON text (sent as application/json). */
  readonly json: boolean;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A file's or stdin's bytes: JSON text if they are UTF-8 that parses as JSON, else raw bytes. */
function fromBytes(bytes: Uint8Array): Body {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (isJson(text)) return { body: text, json: true };
  } catch {
    // Not UTF-8: raw bytes.
  }
  return { body: bytes, json: false };
}

async function readBody(data: string | undefined): Promise<Body | undefined> {
  if (data === undefined) return undefined;
  if (data === "-") {
    if (isTerminal(0)) note("reading the request body from stdin (end it with Ctrl-D)");
    return fromBytes(new Uint8Array(await Bun.stdin.arrayBuffer()));
  }
  if (data.startsWith("@")) {
    const path = data.slice(1);
    try {
      return fromBytes(new Uint8Array(readFileSync(path)));
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error";
      // The path is not repeated: a secret pasted in the wrong place would be printed with it.
      throw usageError(`cannot read the --data file (${code})`);
    }
  }
  // The text itself is not repeated: a body may carry anything.
  if (!isJson(data)) {
    throw usageError(
      "--data is not valid JSON; use --data @FILE or --data - (stdin) for other bodies",
    );
  }
  return { body: data, json: true };
}

function parseHeaders(lines: readonly string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    try {
      if (!name) throw new TypeError("no name");
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      // Only a name that is plainly one is shown: a header value may be a credential.
      const shown = looksLikeHeaderName(name) ? ` '${name}'` : "";
      throw usageError(`bad --header${shown}: write it as 'Name: value'`);
    }
  }
  return headers;
}

/** `X-Trace`, `content-type`, `ETAG`: words in one case each, not a random mix like a key. */
const looksLikeHeaderName = (name: string) =>
  name.length <= 40 && /^(?:[A-Z]?[a-z]*|[A-Z]+)(?:-(?:[A-Z]?[a-z]*|[A-Z]+))*$/.test(name);

/** The token of an `Authorization: Bearer` header, if `headers` has one. */
const bearerToken = (headers: RequestInit["headers"]) =>
  new Headers(headers).get("authorization")?.replace(/^Bearer /, "");

/** A JSON media type: `application/json`, `application/problem+json`, any case, any parameters. */
const isJsonType = (type: string | null) =>
  type !== null && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type.trim());

/**
 * `--json`'s one line: `{status, headers, body}`, and `json` (the body parsed) when the answer
 * says it is JSON and parses. Headers by lower-case name, repeated ones joined with ", " as
 * `Headers.get` joins them. The body is redacted before it is parsed (and the line once more by
 * writeJson). JSON escapes every control character, so the line is safe on a terminal as it is.
 */
async function responseJson(response: ApiResponse, dryRun: boolean): Promise<object> {
  const headers: Record<string, string> = {};
  for (const name of new Set(response.headers.keys())) {
    headers[name] = response.headers.get(name) ?? "";
  }
  const body = await redact(response.body);
  let json: { json?: unknown } = {};
  if (isJsonType(response.headers.get("content-type"))) {
    try {
      json = { json: JSON.parse(body) };
    } catch {
      // Said JSON but is not: the text alone.
    }
  }
  return { status: response.status, headers, body, ...json, ...(dryRun && { dryRun: true }) };
}

/** `METHOD url` without the query string (queries may carry secrets) and userinfo. */
const describe = (method: string, url: string) => `${method} ${displayUrl(url)}`;

export async function run(cli: CommandLine): Promise<number> {
  const [methodArg, url] = cli.positionals as [string, string];
  const method = requestMethod(methodArg);
  const headers = parseHeaders((cli.values.header as string[] | undefined) ?? []);
  const body = await readBody(cli.values.data as string | undefined);
  if (body && (method === "GET" || method === "HEAD")) {
    throw usageError(`a ${method} request cannot have a body (--data)`);
  }
  if (body?.json && !headers.has("content-type")) headers.set("content-type", "application/json");

  const config = loadConfig(cli.globals);
  // A proxy may echo its own credentials (a 407's body): they are secrets of this output too.
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
    for (const secret of proxyCredentials(process.env[name] ?? "")) addSecret(secret);
  }
  // The runtime checks where the token may go before anything is sent (or a token is fetched);
  // a refused URL is a usage error (reportError, by the error's `reason`).
  const response = await requestApiWithAutoRefresh({
    config,
    tokenManager: tokenManagerFor(config),
    dryRun: cli.globals.dryRun,
    method,
    url,
    headers,
    body: body?.body ?? null,
    fetch: (input, init) => {
      // Each token the request carries (a refresh sends a second one) is a secret before
      // anything of the response is printed: a header or a body may echo it.
      addSecret(bearerToken(init?.headers));
      // The platform's fetch where it has one: on Bun it decodes bodies only as far as they are
      // read, where Bun's own decoder would inflate a bomb on past the cap.
      return (platform.fetch ?? fetch)(input, init);
    },
  });

  if (cli.globals.json) {
    writeJson(await responseJson(response, cli.globals.dryRun));
  } else {
    if (cli.values.include) {
      // The status text, names and values are the server's: writeErr escapes their controls.
      const spans: Span[] = [
        ["bold", `HTTP ${response.status} ${response.statusText}`.trim()],
        "\n",
      ];
      response.headers.forEach((value, name) => {
        spans.push(["dim", name], `: ${value}\n`);
      });
      writeErr(...spans, "\n");
    }
    // The body too: an API that echoes the request would print the token into a pipe or a log.
    const shown = await redact(response.body);
    writeData(shown);
    if (isTerminal(1) && shown !== "" && !shown.endsWith("\n")) writeLine();
  }
  if (cli.globals.dryRun) note("dry run: nothing was sent; the body shows what would have been");
  if (response.ok) return ExitCode.Ok;
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  printError("HTTP_ERROR", `${status} (${describe(method, response.url)})`);
  return ExitCode.RequestFailed;
}
