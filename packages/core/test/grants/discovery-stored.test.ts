/**
 * What a discovery stored by another process may serve: the issuer's own endpoint, written less
 * than a day ago and not in the future, in a file of at most 64 KiB under the cache-file rules;
 * and how the store keeps it in a real cache dir (created private when missing, never through a
 * symlink, never created by a mere lookup).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DISCOVERY_MAX_AGE_SEC,
  discoverTokenEndpoint,
  forgetDiscoveredEndpoints,
  MAX_DISCOVERY_BYTES,
  storedDiscovery,
  storedTokenEndpoint,
} from "../../src/grants/discovery.ts";
import { fileDiscoveryStore } from "../../src/grants/discovery-store.ts";
import { FileTokenStore } from "../../src/stores/file-token-store.ts";
import { bunPlatform } from "../fixtures/internal-api.ts";
import { jsonAnswer, type RecordingServer, recordingServer } from "./recording-server.ts";

const ISSUER = "https://idp.example/realms/x";
const ENDPOINT = "https://idp.example/realms/x/token";
const NOW = 1_800_000_000;

const stored = (fields: Record<string, unknown>) =>
  JSON.stringify({ issuer: ISSUER, token_endpoint: ENDPOINT, discovered_at: NOW, ...fields });

describe("a stored discovery serves", () => {
  test("what storedDiscovery wrote, read back the same second", () => {
    expect(storedTokenEndpoint(ISSUER, storedDiscovery(ISSUER, ENDPOINT, NOW + 0.9), NOW)).toBe(
      ENDPOINT,
    );
    expect(JSON.parse(storedDiscovery(ISSUER, ENDPOINT, NOW + 0.9))).toEqual({
      issuer: ISSUER,
      token_endpoint: ENDPOINT,
      discovered_at: NOW,
    });
  });

  test("for a day: an hour old and a second short of a day are served, a day old is not", () => {
    expect(DISCOVERY_MAX_AGE_SEC).toBe(86_400);
    expect(storedTokenEndpoint(ISSUER, stored({ discovered_at: NOW - 3600 }), NOW)).toBe(ENDPOINT);
    expect(storedTokenEndpoint(ISSUER, stored({ discovered_at: NOW - 86_399 }), NOW)).toBe(
      ENDPOINT,
    );
    expect(
      storedTokenEndpoint(ISSUER, stored({ discovered_at: NOW - 86_400 }), NOW),
    ).toBeUndefined();
  });

  test("not a time in the future: a planted file cannot live for ever", () => {
    expect(storedTokenEndpoint(ISSUER, stored({ discovered_at: NOW + 1 }), NOW)).toBeUndefined();
    expect(
      storedTokenEndpoint(ISSUER, stored({ discovered_at: NOW + 10 * 86_400 }), NOW),
    ).toBeUndefined();
  });

  test("not a time that is no number: a numeric string is refused", () => {
    expect(
      storedTokenEndpoint(ISSUER, stored({ discovered_at: String(NOW) }), NOW),
    ).toBeUndefined();
    expect(storedTokenEndpoint(ISSUER, stored({ discovered_at: undefined }), NOW)).toBeUndefined();
  });

  test("not another issuer's, nor an endpoint that may not receive credentials", () => {
    expect(storedTokenEndpoint(ISSUER, stored({ issuer: `${ISSUER}-evil` }), NOW)).toBeUndefined();
    expect(
      storedTokenEndpoint(ISSUER, stored({ token_endpoint: "http://idp.example/token" }), NOW),
    ).toBeUndefined();
  });

  test("text of at most 64 KiB: exactly 64 KiB is read, one byte more is not", () => {
    const text = stored({});
    const padded = (length: number) => text.slice(0, -1) + " ".repeat(length - text.length) + "}";
    expect(MAX_DISCOVERY_BYTES).toBe(65_536);
    expect(storedTokenEndpoint(ISSUER, padded(65_536), NOW)).toBe(ENDPOINT);
    expect(storedTokenEndpoint(ISSUER, padded(65_537), NOW)).toBeUndefined();
  });

  test("nothing for text that is not a document: a miss, never a throw", () => {
    for (const text of [undefined, "", "null", "not json", "[]", "42"]) {
      expect(storedTokenEndpoint(ISSUER, text, NOW)).toBeUndefined();
    }
  });
});

describe("the discovery store in a real cache dir", () => {
  let root: string;
  let host: RecordingServer | undefined;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "openclaw-discovery-stored-"));
  });
  afterEach(async () => {
    host?.stop();
    forgetDiscoveredEndpoints();
    await rm(root, { recursive: true, force: true });
  });

  const storeAt = (dir: string) =>
    fileDiscoveryStore(bunPlatform, new FileTokenStore(bunPlatform, { dir, onWarning: () => {} }));

  test("a lookup in a cache dir that does not exist yet creates nothing", async () => {
    const dir = join(root, "cache");
    expect(await storeAt(dir).get(ISSUER)).toBeUndefined();
    expect(await stat(dir).catch(() => "absent")).toBe("absent");
  });

  test("a write into a cache dir that does not exist yet creates it private, with the file in it", async () => {
    const dir = join(root, "cache");
    const store = storeAt(dir);
    await store.set(ISSUER, stored({}));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^discovery_[0-9a-f]{32}\.json$/);
    expect(await store.get(ISSUER)).toBe(stored({}));
  });

  test("a cache dir that is a symlink is neither written through nor read", async () => {
    const target = join(root, "elsewhere");
    await mkdir(target, { mode: 0o700 });
    const dir = join(root, "cache");
    await symlink(target, dir);
    expect((await lstat(dir)).isSymbolicLink()).toBe(true);
    await storeAt(dir).set(ISSUER, stored({}));
    expect(await readdir(target)).toEqual([]);
  });

  test("a discovery is stored with the time it was made: another process (here: after forgetting) uses it without asking", async () => {
    let issuer = "";
    host = recordingServer(() => jsonAnswer(200, { issuer, token_endpoint: `${issuer}/token` }));
    issuer = host.url;
    const dir = join(root, "cache");
    const before = Math.floor(Date.now() / 1000);
    const context = () => ({
      fetch,
      signal: new AbortController().signal,
      timeoutMs: 5_000,
      discoveryStore: storeAt(dir),
    });
    expect(await discoverTokenEndpoint(issuer, context())).toBe(`${issuer}/token`);
    const [file] = await readdir(dir);
    const written = JSON.parse(await readFile(join(dir, file ?? ""), "utf8"));
    expect(written.issuer).toBe(issuer);
    expect(written.token_endpoint).toBe(`${issuer}/token`);
    expect(written.discovered_at).toBeGreaterThanOrEqual(before);
    expect(written.discovered_at).toBeLessThanOrEqual(Date.now() / 1000);
    forgetDiscoveredEndpoints();
    expect(await discoverTokenEndpoint(issuer, context())).toBe(`${issuer}/token`);
    expect(host.seen).toHaveLength(1);
  });
});
