/**
 * `clear` removes everything this config's key owns in the cache dir (its token, its locks, the
 * discovery file of its issuer, and the temp files of each) and nothing of another key's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** An OAuth server on 127.0.0.1: RFC 8414 metadata naming its token endpoint, which issues tokens. */
let issuer: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  issuer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const base = `http://127.0.0.1:${issuer?.port}`;
      const { pathname } = new URL(request.url);
      if (pathname === "/.well-known/oauth-authorization-server") {
        return Response.json({ issuer: base, token_endpoint: `${base}/token` });
      }
      if (pathname === "/token") {
        return Response.json({
          access_token: `at-${crypto.randomUUID()}`,
          token_type: "Bearer",
          expires_in: 900,
        });
      }
      return new Response("", { status: 404 });
    },
  });
});
afterAll(() => issuer?.stop(true));

const issuerEnv = () => ({
  AUTH_GRANT: "client_credentials",
  AUTH_CLIENT_ID: "svc",
  AUTH_ISSUER: `http://127.0.0.1:${issuer?.port}`,
});

test(
  "clear with AUTH_ISSUER removes the token, the discovery file, locks and temp files of the key; another key's stay",
  async () => {
    expect((await fx.run(["token"], { env: issuerEnv() })).code).toBe(0);
    const path = JSON.parse((await fx.run(["status", "--json"], { env: issuerEnv() })).stdout)
      .path as string;
    const token = path.slice(fx.cacheDir.length + 1);
    const discovery = (await readdir(fx.cacheDir)).find((name) => name.startsWith("discovery_"));
    expect(discovery, "the token request stored its discovery").toMatch(
      /^discovery_[0-9a-f]{32}\.json$/,
    );
    // What a killed process leaves behind: a lock, a write lock and its guard, temp files.
    const key = token.replace(/^token_|\.json$/g, "");
    const left = [
      `token_${key}.lock`,
      `token_${key}.write.lock`,
      `token_${key}.lock.takeover`,
      `${token}.4194301.1.k3j2.tmp`,
      `token_${key}.lock.4194301.2.x9.tmp`,
      `${discovery}.4194301.3.q1.tmp`,
    ];
    const others = [
      `token_${"0".repeat(32)}.json`,
      `token_${"0".repeat(32)}.lock`,
      `discovery_${"0".repeat(32)}.json`,
      `token_${"0".repeat(32)}.json.4194301.1.k3j2.tmp`,
    ];
    for (const name of [...left, ...others]) {
      await writeFile(join(fx.cacheDir, name), "{}", { mode: 0o600 });
    }

    const dry = await fx.run(["clear", "--dry-run"], { env: issuerEnv() });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`dry run: would remove ${fx.cacheDir}/${discovery}\n`);
    expect((await readdir(fx.cacheDir)).sort()).toEqual(
      [token, discovery as string, ...left, ...others].sort(),
    );

    const run = await fx.run(["clear"], { env: issuerEnv() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`removed ${path}\n`);
    expect(run.stderr).toContain(`removed ${fx.cacheDir}/${discovery}\n`);
    expect((await readdir(fx.cacheDir)).sort()).toEqual(others.sort());
  },
  TIMEOUT_MS,
);
