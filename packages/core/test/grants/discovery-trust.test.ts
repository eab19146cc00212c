/**
 * What discovery trusts, seen where a user would notice a slip: the client secret reaching a
 * token endpoint that is not the issuer's. An issuer on 127.0.0.1 whose metadata or cache file an
 * attacker controls, and an attacker's token endpoint that records whatever reaches it.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { giveAway, inUserNamespace, isRoot, runInUserNamespace } from "../fixtures/another-user.ts";
import {
  AuthSessionError,
  createConfig,
  createTokenManager,
  getAccessToken,
} from "../fixtures/internal-api.ts";

const SECRET = "discovery-secret-0123456789";
const CLIENT_ID = "svc-discovery-trust";

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** A server on 127.0.0.1 that records each request and answers it with `answer`. */
async function recordingServer(answer: (url: string, res: ServerResponse) => void) {
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      answer(req.url ?? "", res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, seen };
}

const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const tokenAnswer = (res: ServerResponse) =>
  json(res, { access_token: "at-issuer", token_type: "Bearer", expires_in: 600 });

let servers: Server[] = [];
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-discovery-trust-"));
});
afterEach(async () => {
  for (const server of servers) server.close();
  servers = [];
  await rm(root, { recursive: true, force: true });
});

/** The attacker's token endpoint: it records what reaches it and hands out its own token. */
async function attacker() {
  const evil = await recordingServer((_url, res) =>
    json(res, { access_token: "at-attacker", token_type: "Bearer", expires_in: 600 }),
  );
  servers.push(evil.server);
  return evil;
}

function configFor(issuer: string, cacheDir: string) {
  return createConfig({
    authBase: issuer,
    clientKey: SECRET,
    grant: "client_credentials",
    clientId: CLIENT_ID,
    clientAuth: "client_secret_post",
    issuer,
    cacheDir,
  });
}

async function tokenOf(issuer: string, cacheDir: string) {
  const tokenManager = createTokenManager({
    config: configFor(issuer, cacheDir),
    onWarning: () => {},
  });
  return getAccessToken({ tokenManager }).catch((error: unknown) => error);
}

describe("the metadata document must be the issuer's own", () => {
  // RFC 8414 §3.3: the issuer in the document is exactly the one asked. A comparison by prefix
  // lets a document of `…/tenant-evil` (or `…/tenant/evil`) name its own token endpoint.
  for (const suffix of ["-evil", "/evil", "evil"]) {
    test(`a document whose issuer merely starts with the configured one ("${suffix}" after it) is refused: the secret goes nowhere`, async () => {
      const evil = await attacker();
      let issuer = "";
      const host = await recordingServer((url, res) => {
        if (url.startsWith("/.well-known/")) {
          return json(res, { issuer: `${issuer}${suffix}`, token_endpoint: `${evil.url}/token` });
        }
        tokenAnswer(res);
      });
      servers.push(host.server);
      issuer = `${host.url}/tenant`;
      const result = await tokenOf(issuer, join(root, "cache"));
      expect(result).toBeInstanceOf(AuthSessionError);
      expect((result as Error).message).toContain("OAuth discovery found no token endpoint");
      expect(evil.seen).toEqual([]);
      expect(host.seen.every((seen) => !seen.body.includes(SECRET))).toBe(true);
    });
  }

  test("a document naming the configured issuer exactly (a trailing slash aside) is used", async () => {
    let issuer = "";
    const host = await recordingServer((url, res) => {
      if (url.startsWith("/.well-known/")) {
        return json(res, { issuer: `${issuer}/`, token_endpoint: `${issuer}/token` });
      }
      tokenAnswer(res);
    });
    servers.push(host.server);
    issuer = `${host.url}/tenant`;
    expect(await tokenOf(issuer, join(root, "cache"))).toBe("at-issuer");
  });
});

describe("the discovery file is read under the cache-file rules", () => {
  const discoveryPath = (cacheDir: string, issuer: string) =>
    join(
      cacheDir,
      `discovery_${createHash("sha256").update(issuer).digest("hex").slice(0, 32)}.json`,
    );

  /** An issuer whose own token endpoint works, and a stored discovery naming the attacker's. */
  async function planted() {
    const evil = await attacker();
    let issuer = "";
    const host = await recordingServer((url, res) => {
      if (url.startsWith("/.well-known/")) {
        return json(res, { issuer, token_endpoint: `${issuer}/token` });
      }
      tokenAnswer(res);
    });
    servers.push(host.server);
    issuer = host.url;
    const cacheDir = join(root, "cache");
    await mkdir(cacheDir, { mode: 0o700 });
    const text = JSON.stringify({
      issuer,
      token_endpoint: `${evil.url}/token`,
      discovered_at: Math.floor(Date.now() / 1000),
    });
    return { evil, host, issuer, cacheDir, file: discoveryPath(cacheDir, issuer), text };
  }

  /** The stored endpoint was not used: the issuer was asked again, the attacker never. */
  function expectAskedTheIssuer(p: Awaited<ReturnType<typeof planted>>, result: unknown): void {
    expect(result).toBe("at-issuer");
    expect(p.evil.seen).toEqual([]);
    expect(p.host.seen.map((seen) => seen.method)).toEqual(["GET", "POST"]);
  }

  test("a plain discovery file of ours is served: the control case, the issuer is not asked", async () => {
    const p = await planted();
    await writeFile(p.file, p.text, { mode: 0o600 });
    expect(await tokenOf(p.issuer, p.cacheDir)).toBe("at-attacker");
    expect(p.host.seen).toEqual([]);
  });

  test("a discovery file that is a symlink is not followed", async () => {
    const p = await planted();
    const target = join(root, "planted.json");
    await writeFile(target, p.text, { mode: 0o600 });
    await symlink(target, p.file);
    expectAskedTheIssuer(p, await tokenOf(p.issuer, p.cacheDir));
  });

  test("a discovery file that is a FIFO is not opened for a blocking read", async () => {
    const p = await planted();
    expect(spawnSync("mkfifo", ["-m", "600", p.file]).status).toBe(0);
    expectAskedTheIssuer(p, await tokenOf(p.issuer, p.cacheDir));
  });

  test("a discovery file larger than 64 KiB is not read", async () => {
    const p = await planted();
    await writeFile(p.file, p.text + " ".repeat(64 * 1024), { mode: 0o600 });
    expectAskedTheIssuer(p, await tokenOf(p.issuer, p.cacheDir));
  });

  // Only root can give a file away: any other user runs the test again as root of a user
  // namespace of its own (another-user.ts).
  const FOREIGN = "a discovery file owned by another user is not read";
  test(FOREIGN, async () => {
    if (!isRoot) {
      const child = await runInUserNamespace(import.meta.path, FOREIGN);
      expect(child.output).toContain(" 1 pass");
      expect(child.code).toBe(0);
      return;
    }
    const p = await planted();
    await writeFile(p.file, p.text, { mode: 0o600 });
    const giveBack = await giveAway(p.file);
    try {
      const result = await tokenOf(p.issuer, p.cacheDir);
      expect(result).toBe("at-issuer");
      expect(p.evil.seen).toEqual([]);
    } finally {
      giveBack();
    }
    // Outside a user namespace the foreign file is replaced by ours.
    if (!inUserNamespace) expect(p.host.seen.map((seen) => seen.method)).toEqual(["GET", "POST"]);
  });
});
