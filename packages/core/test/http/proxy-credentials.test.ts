/**
 * The credentials in HTTP_PROXY/http_proxy are secrets: Bun's error for a scheme-less
 * `TOKEN@host:port` quotes them, and a proxy's 407 answer may echo its Proxy-Authorization. Each
 * case runs in a child Bun with the variable set (Bun's fetch reads it), against a real dev
 * gateway and a real proxy on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { runInRuntimeChild } from "../fixtures/runtime-child.ts";

const CLIENT_KEY = "ck-live-CANARY-proxycreds-77aa";
const PROXY_TOKEN = "pxTOKEN9f8e7d6c5b4a";
const USER = "proxyuser";
const PASSWORD = "pr0xy-p%40ss-6d5c";
const PASSWORD_DECODED = "pr0xy-p@ss-6d5c";

let gateway: DevGateway;
let deadPort = 0;
let proxy: Server;
let proxyPort = 0;
let cacheRoot = "";
let children = 0;

beforeAll(async () => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  cacheRoot = await mkdtemp(join(tmpdir(), "openclaw-proxy-creds-"));
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
  deadPort = (free.address() as AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  // A proxy that refuses everyone, echoing what it was given: the header and the credentials.
  proxy = createServer((req, res) => {
    const header = String(req.headers["proxy-authorization"] ?? "");
    const basic = header.replace(/^Basic /, "");
    res.writeHead(407, { "content-type": "text/plain", "proxy-authenticate": "Basic" });
    res.end(`proxy says no to ${header} (${basic}) = ${atob(basic || "")}`);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyPort = (proxy.address() as AddressInfo).port;
});

afterAll(async () => {
  await gateway.stop();
  await rm(cacheRoot, { recursive: true, force: true });
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

/** Runs `body` in a child Bun with `env`; every text of the error it throws (cause chain too). */
async function errorInChild(body: string, env: Record<string, string>): Promise<string> {
  const { last, stderr } = await runInRuntimeChild({
    authBase: gateway.url,
    clientKey: CLIENT_KEY,
    cacheDir: join(cacheRoot, String(++children)),
    script: `const texts = (e, depth = 0) => !e || depth > 5 ? [] : [String(e.message), String(e.stack), Bun.inspect(e), ...texts(e.cause, depth + 1)];
try { ${body}; console.log(JSON.stringify({ ok: true })); } catch (error) { console.log(JSON.stringify({ error: String(error.message), all: texts(error).join("\\n") })); }`,
    env,
  });
  const { error, all } = JSON.parse(last) as { error?: string; all?: string };
  if (error === undefined) throw new Error(`expected an error, got ${last}`);
  return `${error}\n${all}\n${stderr}`;
}

const getToken = "await api.getAccessToken({ config })";
const callApi = 'await api.requestApi({ config, authToken: "t", url: "/echo", retry: 0 })';

/** None of the credentials' forms is in `text`. */
function expectNoCredentials(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("proxy credentials are secrets", () => {
  test("a scheme-less HTTP_PROXY=TOKEN@host:port, which Bun misreads, is not quoted by a token request's error", async () => {
    const text = await errorInChild(getToken, {
      HTTP_PROXY: `${PROXY_TOKEN}@127.0.0.1:${deadPort}`,
    });
    expect(text).toContain("[redacted]");
    expectNoCredentials(text, [PROXY_TOKEN]);
  }, 30_000);

  test("a scheme-less http_proxy=TOKEN@host:port is not quoted by an API call's error", async () => {
    const text = await errorInChild(callApi, {
      http_proxy: `${PROXY_TOKEN}@127.0.0.1:${deadPort}`,
    });
    expect(text).toStartWith("API request failed:");
    expectNoCredentials(text, [PROXY_TOKEN]);
  }, 30_000);

  test("a proxy's 407 echoing Proxy-Authorization and user:pass is not quoted by the token request's error", async () => {
    const text = await errorInChild(getToken, {
      HTTP_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${proxyPort}`,
    });
    expect(text).toContain("407");
    expectNoCredentials(text, [
      PASSWORD,
      PASSWORD_DECODED,
      btoa(`${USER}:${PASSWORD_DECODED}`),
      btoa(`${USER}:${PASSWORD}`),
    ]);
  }, 30_000);
});
