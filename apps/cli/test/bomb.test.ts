/**
 * `request` against an API that answers with a compression bomb: the CLI's own fetch (it learns
 * each token it sends, to redact echoes) must still read through the runtime's bounded decoding,
 * or on Bun the runtime's decoder keeps inflating after the cap (a 32 KB zstd bomb took a
 * process to 1.6 GB). A real CLI process, its peak RSS from /usr/bin/time.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BombEncoding, compressionBomb } from "../../../packages/conformance/src/bombs.ts";
import { CLI_DIR, CLIENT_KEY } from "./helpers.ts";

const PEAK_LIMIT_KB = 300 * 1024;
const ENCODINGS: BombEncoding[] = ["zstd", "br"];

let server: ReturnType<typeof Bun.serve>;
let dir: string;
const bombs = new Map<string, Uint8Array>();

beforeAll(async () => {
  for (const encoding of ENCODINGS) bombs.set(encoding, await compressionBomb(encoding));
  dir = await mkdtemp(join(tmpdir(), "openclaw-cli-bomb-"));
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/auth/session") {
        return Response.json({ accessToken: "tok-bomb-test", expiresIn: 900 });
      }
      const encoding = path.slice(1);
      const bomb = bombs.get(encoding);
      if (!bomb) return new Response("no", { status: 404 });
      return new Response(bomb, {
        headers: { "content-encoding": encoding, "content-type": "application/json" },
      });
    },
  });
}, 60_000);
afterAll(async () => {
  server.stop(true);
  await rm(dir, { recursive: true, force: true });
});

test.each(ENCODINGS)(
  "a 1 GiB %s bomb from the API stops at the cap: exit 4 with the cap named, and the process stays under 300 MB peak RSS",
  async (encoding) => {
    const child = Bun.spawn(
      [
        "/usr/bin/time",
        "-f",
        "peak-kb %M",
        process.execPath,
        CLI_DIR,
        "request",
        "GET",
        `/${encoding}`,
      ],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: dir,
          AUTH_BASE: server.url.origin,
          CLIENT_KEY,
          AUTH_CACHE_DIR: join(dir, "cache"),
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const peakKb = Number(/peak-kb (\d+)/.exec(stderr)?.[1]);
    expect(stdout).toBe("");
    expect(code, stderr).toBe(4);
    expect(stderr).toContain("larger than maxResponseBytes");
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(PEAK_LIMIT_KB);
  },
  60_000,
);
