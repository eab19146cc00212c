/**
 * Running the real CLI as a child process (`bun <repo>/apps/cli …`, as a user does) against a dev
 * gateway in the test process, each test with its own temp dir, cache dir and explicit env, and
 * checking every output for leaked secrets.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "bun:test";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";

export const CLI_DIR = resolve(import.meta.dir, "..");
export const REPO = resolve(CLI_DIR, "../..");
/** A distinctive client key: it must never show up in any output. */
export const CLIENT_KEY = "ck-live-CANARY-7f3a9c";
export const OFFER_URL = "https://detail.1688.com/offer/610947572360.html";
/** A JWT as the dev gateway issues them. */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Replaces the default environment entries (undefined removes one). */
  readonly env?: Record<string, string | undefined>;
  readonly stdin?: string | Uint8Array;
  readonly cwd?: string;
  /** The command prefix; default `bun <repo>/apps/cli`. */
  readonly cmd?: readonly string[];
}

/** The per-file fixture: one gateway, and a fresh temp dir per test. */
export interface Fixture {
  readonly gateway: DevGateway;
  /** This test's temp dir (the CLI's working directory, so no stray .env is read). */
  readonly dir: string;
  /** This test's AUTH_CACHE_DIR (not created up front). */
  readonly cacheDir: string;
  /** The environment a child gets: only what it needs, never the parent's AUTH_* or CLIENT_KEY. */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  run(args: readonly string[], options?: RunOptions): Promise<Run>;
  /** Every token in this test's cache dir (to check that none leaks). */
  cachedTokens(): Promise<string[]>;
}

export function useFixture(gatewayOptions: Parameters<typeof startDevGateway>[0] = {}): Fixture {
  let gateway: DevGateway | undefined;
  let dir: string | undefined;

  beforeAll(() => {
    gateway = startDevGateway({ clientKeys: [CLIENT_KEY], ...gatewayOptions });
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "openclaw-cli-test-"));
  });
  afterEach(async () => {
    gateway?.setFaults([]);
    gateway?.resetStats();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const fixture: Fixture = {
    get gateway() {
      if (!gateway) throw new Error("no gateway outside a test");
      return gateway;
    },
    get dir() {
      if (!dir) throw new Error("no temp dir outside a test");
      return dir;
    },
    get cacheDir() {
      return join(fixture.dir, "cache");
    },
    env(extra = {}) {
      const env: Record<string, string | undefined> = {
        AUTH_BASE: fixture.gateway.url,
        CLIENT_KEY,
        AUTH_CACHE_DIR: fixture.cacheDir,
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        // Mutation testing (packages/core/mutation/areas.mjs, area cli) picks the mutant by this
        // variable: the CLI under test is a child, and must run the mutant too.
        __STRYKER_ACTIVE_MUTANT__: process.env.__STRYKER_ACTIVE_MUTANT__,
        ...extra,
      };
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
      return out;
    },
    async run(args, options = {}) {
      const cmd = [...(options.cmd ?? [process.execPath, CLI_DIR]), ...args];
      const child = Bun.spawn(cmd, {
        cwd: options.cwd ?? fixture.dir,
        env: fixture.env(options.env),
        stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      const run = { code, stdout, stderr };
      await expectNoLeak(run, args, await fixture.cachedTokens());
      return run;
    },
    async cachedTokens() {
      const tokens: string[] = [];
      const files = await readdir(fixture.cacheDir).catch(() => [] as string[]);
      for (const file of files.filter((f) => f.endsWith(".json"))) {
        try {
          const json = JSON.parse(await readFile(join(fixture.cacheDir, file), "utf8"));
          if (typeof json.access_token === "string") tokens.push(json.access_token);
        } catch {
          // Not a cache file: nothing to look for.
        }
      }
      return tokens;
    },
  };
  return fixture;
}

/** The command name of an argv: its first argument that is not an option. */
const commandOf = (args: readonly string[]) =>
  args.find(
    (arg, i) => !arg.startsWith("-") && !["--base", "--env-file"].includes(args[i - 1] ?? ""),
  );

/**
 * Whether `text` holds `secret` in a form an echo produces: raw, JSON-escaped, percent-encoded,
 * or base64/base64url-encoded inside any run of base64 characters, at any alignment.
 */
export function holdsSecret(text: string, secret: string): boolean {
  const json = JSON.stringify(secret).slice(1, -1);
  const plain = [secret, json, encodeURIComponent(secret)];
  if (plain.some((form) => text.includes(form))) return true;
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    const standard = run.replace(/-/g, "+").replace(/_/g, "/");
    for (let skip = 0; skip < 4; skip++) {
      const usable = Math.floor((standard.length - skip) / 4) * 4;
      let binary: string;
      try {
        binary = atob(standard.slice(skip, skip + usable));
      } catch {
        continue;
      }
      const decoded = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
      if (decoded.includes(secret) || decoded.includes(json)) return true;
    }
  }
  return false;
}

/**
 * The client key never appears anywhere, in any form; a token never on stderr, and on stdout
 * only of `token`.
 */
export async function expectNoLeak(
  run: Run,
  args: readonly string[],
  tokens: readonly string[],
): Promise<void> {
  const where = `openclaw-auth ${args.join(" ")}`;
  expect(holdsSecret(run.stdout, CLIENT_KEY), `${where}: ${run.stdout}`).toBe(false);
  expect(holdsSecret(run.stderr, CLIENT_KEY), `${where}: ${run.stderr}`).toBe(false);
  expect(run.stderr, where).not.toMatch(JWT);
  const tokenCommand = commandOf(args) === "token";
  if (!tokenCommand) expect(run.stdout, where).not.toMatch(JWT);
  for (const token of tokens) {
    expect(holdsSecret(run.stderr, token), `${where}: ${run.stderr}`).toBe(false);
    if (!tokenCommand)
      expect(holdsSecret(run.stdout, token), `${where}: ${run.stdout}`).toBe(false);
  }
}

/** One line, `openclaw-auth: CODE: …`, on stderr. */
export function expectErrorLine(run: Run, code: string): void {
  const lines = run.stderr.trimEnd().split("\n");
  expect(
    lines.some((line) => line.startsWith(`openclaw-auth: ${code}: `)),
    run.stderr,
  ).toBe(true);
}

export const TIMEOUT_MS = 60_000;

/** A URL nothing listens on: a gateway's, after it stopped. */
export async function closedPortUrl(): Promise<string> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  await server.stop(true);
  return url;
}
