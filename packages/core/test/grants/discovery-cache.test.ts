/**
 * The discovered token endpoint is kept beside the tokens as `discovery_<hash>.json`, so a new
 * process on the same cache dir does not ask the issuer's metadata again: real child processes
 * against a scripted issuer on 127.0.0.1 that counts what it is asked.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { baseEnv, cleanup, describeRuns, storm, tempDir } from "../cross-process/storm.ts";

const CLIENT_ID = "svc-discovery";
let server: Server | undefined;
let issuer = "";
let asked: string[] = [];

beforeEach(async () => {
  asked = [];
  let issued = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      asked.push(`${req.method} ${req.url}`);
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") {
        res.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }));
      } else if (req.method === "POST" && req.url === "/token") {
        const form = new URLSearchParams(body);
        issued += 1;
        res.end(
          JSON.stringify({
            access_token: `at-${form.get("client_secret")}-${issued}`,
            token_type: "Bearer",
            expires_in: 600,
          }),
        );
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await cleanup();
});

/** One child process getting a token with `secret` (a client of its own: its own token file). */
async function runClient(cacheDir: string, secret: string) {
  const runs = await storm({
    count: 1,
    env: {
      ...baseEnv(),
      AUTH_BASE: issuer,
      AUTH_CACHE_DIR: cacheDir,
      AUTH_GRANT: "client_credentials",
      AUTH_ISSUER: issuer,
      AUTH_CLIENT_ID: CLIENT_ID,
      AUTH_CLIENT_AUTH: "client_secret_post",
      CLIENT_KEY: secret,
    },
  });
  expect(describeRuns(runs.filter((run) => run.code !== 0))).toBe("");
  return runs[0]?.line?.token;
}

const discoveryRequests = () => asked.filter((line) => line.startsWith("GET /.well-known/"));
const discoveryFile = (cacheDir: string) =>
  join(
    cacheDir,
    `discovery_${createHash("sha256").update(issuer).digest("hex").slice(0, 32)}.json`,
  );

test("a second process on the same cache dir takes the token endpoint from discovery_<hash>.json: one discovery request for both", async () => {
  const cacheDir = join(await tempDir(), "cache");
  expect(await runClient(cacheDir, "secret-one-0123456789")).toBe("at-secret-one-0123456789-1");
  expect(await runClient(cacheDir, "secret-two-0123456789")).toBe("at-secret-two-0123456789-2");
  expect(discoveryRequests()).toEqual(["GET /.well-known/oauth-authorization-server"]);
  expect(asked.filter((line) => line === "POST /token")).toHaveLength(2);

  const file = discoveryFile(cacheDir);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
    issuer,
    token_endpoint: `${issuer}/token`,
  });
  // Written atomically: no temp file is left beside it.
  const names = await readdir(cacheDir);
  expect(names.filter((name) => name.startsWith("discovery_"))).toEqual([
    `discovery_${createHash("sha256").update(issuer).digest("hex").slice(0, 32)}.json`,
  ]);
});

test("a discovery file that is not the issuer's, names a foreign endpoint or is not JSON is a miss: discovery asks again and rewrites it", async () => {
  const cacheDir = join(await tempDir(), "cache");
  await runClient(cacheDir, "secret-one-0123456789");
  const file = discoveryFile(cacheDir);
  const bad = [
    "not json",
    JSON.stringify({
      issuer: "https://evil.example",
      token_endpoint: "https://evil.example/t",
      discovered_at: Math.floor(Date.now() / 1000),
    }),
    JSON.stringify({
      issuer,
      token_endpoint: "http://evil.example/token",
      discovered_at: Math.floor(Date.now() / 1000),
    }),
    JSON.stringify({ issuer, token_endpoint: `${issuer}/token`, discovered_at: 0 }),
  ];
  for (const [index, text] of bad.entries()) {
    await writeFile(file, text, { mode: 0o600 });
    const secret = `secret-bad-${index}-0123456789`;
    expect(await runClient(cacheDir, secret)).toStartWith(`at-${secret}-`);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/token`,
    });
  }
  expect(discoveryRequests()).toHaveLength(1 + bad.length);
});
