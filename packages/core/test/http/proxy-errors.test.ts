/**
 * Bun's fetch sends requests through HTTP_PROXY/HTTPS_PROXY (less NO_PROXY): when the proxy is
 * dead, the error must name the proxy (never its password), not only the gateway. Each case runs
 * in a child Bun with the variables set, against a real dev gateway and a real forward proxy.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";
import { runInRuntimeChild } from "../fixtures/runtime-child.ts";

const CLIENT_KEY = "ck-live-CANARY-proxy-5e1d";
const PROXY_MODULE = join(import.meta.dir, "../../src/http/proxy.ts");

let gateway: DevGateway;
let deadPort = 0;
let proxy: Server;
let proxyPort = 0;
/** Each child's own cache dir (under a temp dir), so that every child asks the gateway. */
let cacheRoot = "";
let children = 0;
/** Request targets the live proxy forwarded (absolute-form URLs). */
const forwarded: string[] = [];

/** A port nobody listens on: bound, then closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  gateway = startDevGateway({ clientKeys: [CLIENT_KEY] });
  cacheRoot = await mkdtemp(join(tmpdir(), "openclaw-proxy-"));
  deadPort = await freePort();
  // A forward proxy without CONNECT: plain http requests in absolute form, forwarded as they are.
  proxy = createServer(async (req, res) => {
    forwarded.push(req.url ?? "");
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string" && name !== "host" && name !== "proxy-authorization") {
        headers.set(name, value);
      }
    }
    const upstream = await fetch(req.url ?? "", {
      method: req.method ?? "GET",
      headers,
      body: chunks.length > 0 ? new Blob(chunks) : null,
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    res.end(Buffer.from(await upstream.arrayBuffer()));
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

/** Runs `body` in a child Bun (the runtime imported as `api`) with `env`; its stdout's last line. */
async function inChild(body: string, env: Record<string, string>): Promise<string> {
  const { last } = await runInRuntimeChild({
    authBase: gateway.url,
    clientKey: CLIENT_KEY,
    cacheDir: join(cacheRoot, String(++children)),
    script: `try { ${body} } catch (error) { console.log(JSON.stringify({ error: String(error?.message ?? error) })); }`,
    env,
  });
  return last;
}

const getToken = `const token = await api.getAccessToken({ config }); console.log(JSON.stringify({ ok: token.length > 0 }));`;

describe("errors through a proxy", () => {
  test("a live HTTP_PROXY carries the token request; a dead one is named in the error, without its password", async () => {
    forwarded.length = 0;
    const live = await inChild(getToken, { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` });
    expect(JSON.parse(live)).toEqual({ ok: true });
    expect(forwarded).toContain(`${gateway.url}/auth/session`);

    const dead = await inChild(getToken, {
      HTTP_PROXY: `http://alice:s3cret-pw@127.0.0.1:${deadPort}`,
    });
    const { error } = JSON.parse(dead) as { error: string };
    expect(error).toContain(`POST ${gateway.url}/auth/session`);
    expect(error).toContain(
      `through the proxy http://127.0.0.1:${deadPort} (HTTP_PROXY); it did not answer`,
    );
    expect(error).not.toContain("s3cret-pw");
    expect(error).not.toContain("alice");
  }, 30_000);

  test("a dead http_proxy is named in an API call's ApiError; with NO_PROXY for the host, the call goes direct", async () => {
    const call = `const response = await api.requestApi({ config, authToken: "t", url: "/echo", retry: 0 }); console.log(JSON.stringify({ status: response.status }));`;
    const dead = await inChild(call, { http_proxy: `127.0.0.1:${deadPort}` });
    const { error } = JSON.parse(dead) as { error: string };
    expect(error).toStartWith("API request failed:");
    expect(error).toContain(
      `(GET ${gateway.url}/echo, through the proxy http://127.0.0.1:${deadPort} (http_proxy); it did not answer)`,
    );

    const direct = await inChild(call, {
      http_proxy: `127.0.0.1:${deadPort}`,
      NO_PROXY: "localhost, 127.0.0.1",
    });
    // The gateway itself answered: 401, "t" being no token it issued.
    expect(JSON.parse(direct)).toEqual({ status: 401 });
  }, 30_000);

  test("which requests use a proxy: proxyFromEnv agrees with Bun's own fetch", async () => {
    // Each case: Bun's fetch through a dead proxy either fails (proxied) or reaches the gateway.
    const cases = [
      ["127.0.0.1", ""],
      ["127.0.0.1", "127.0.0.1"],
      ["127.0.0.1", "0.0.1"],
      ["127.0.0.1", "127.0.0.0/24"],
      ["127.0.0.1", "10.0.0.0/8"],
      ["127.0.0.1", "127.0.0.1:1"],
      ["127.0.0.1", "127.0.0.1:PORT"],
      ["127.0.0.1", "*"],
      ["localhost", "LOCALHOST"],
      ["localhost", ".localhost"],
      ["localhost", "host"],
      ["a.localhost", "localhost"],
      ["localhost", "x, localhost:PORT"],
    ];
    const port = new URL(gateway.url).port;
    const body = `const { proxyFromEnv } = await import(${JSON.stringify(PROXY_MODULE)});
const out = [];
for (const [host, noProxy] of ${JSON.stringify(cases)}) {
  process.env.NO_PROXY = noProxy.replace("PORT", ${JSON.stringify(port)});
  const url = "http://" + host + ":" + ${JSON.stringify(port)} + "/health";
  let proxied;
  try { await (await fetch(url)).arrayBuffer(); proxied = false; } catch { proxied = true; }
  out.push({ host, noProxy, bun: proxied, ours: proxyFromEnv(url, process.env) !== undefined });
}
console.log(JSON.stringify(out));`;
    const line = await inChild(body, { HTTP_PROXY: `http://127.0.0.1:${deadPort}` });
    const results = JSON.parse(line) as { bun: boolean; ours: boolean }[];
    expect(results.length).toBe(cases.length);
    for (const result of results) expect({ ...result, ours: result.bun }).toEqual(result);
  }, 30_000);
});
