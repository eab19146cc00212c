/**
 * Hostile files that take a process to show: a 1 GB cache file against the peak RSS of the
 * process that meets it, writes refused by a file size limit or a full disk, and a writer
 * killed between its temp file and its rename.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { lstat, mkdir, open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inUserNamespace, runInUserNamespace } from "../fixtures/another-user.ts";
import { cacheKey, createEnvConfig } from "../fixtures/internal-api.ts";
import { cleanup, clientEnv, gateway, leaked, tempDir } from "./storm.ts";

afterEach(cleanup);

const CLIENT = fileURLToPath(new URL("./hostile-files-client.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../../../apps/cli/src/main.ts", import.meta.url));

interface ClientLine {
  source?: string;
  token?: string;
  temp?: string;
  warnings?: string[];
  error?: { name?: string; code?: string; message?: string };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly line: ClientLine;
}

async function fixture(root?: string) {
  const cacheDir = join(root ?? (await tempDir()), "cache");
  const gw = gateway();
  const env = clientEnv(gw, cacheDir);
  const key = cacheKey(createEnvConfig(env, { envFile: false }));
  return { gw, cacheDir, env, key, cacheFile: join(cacheDir, `token_${key}.json`) };
}

/** Runs `argv` to its end (killed after 60 s), parsing the last stdout line. */
async function run(argv: string[], env: Record<string, string>): Promise<Run> {
  const child = Bun.spawn(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  let line: ClientLine = {};
  try {
    line = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ClientLine;
  } catch {}
  return { code, stdout, stderr, line };
}

const client = (command: string, env: Record<string, string>) =>
  run([process.execPath, CLIENT, command], env);

/** The client under `ulimit -f <blocks>` (1 KiB blocks in bash): writes past it fail with EFBIG. */
const clientWithFileLimit = (blocks: number, command: string, env: Record<string, string>) =>
  run(
    ["bash", "-c", `ulimit -f ${blocks} && exec "$0" "$1" "$2"`, process.execPath, CLIENT, command],
    env,
  );

/**
 * The client under `/usr/bin/time -f %M`, whose last stderr line is the child's peak RSS in KiB.
 * Read from outside: a process spawned by this (large) test runner starts with the runner's peak
 * in its own `resourceUsage().maxRSS`, which Linux carries across exec.
 */
async function clientPeakRss(command: string, env: Record<string, string>) {
  const result = await run(["/usr/bin/time", "-f", "%M", process.execPath, CLIENT, command], env);
  const peakKiB = Number(result.stderr.trim().split("\n").at(-1));
  return { ...result, peakKiB };
}

const temps = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith(".tmp"));

describe("a cache file too large to read", () => {
  test("a 1 GB sparse cache file is not read: the token is fetched, the file replaced, and peak RSS stays under 300 MB", async () => {
    const f = await fixture();
    await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
    const handle = await open(f.cacheFile, "w", 0o600);
    await handle.truncate(1024 ** 3); // sparse: no disk is used
    await handle.close();

    const result = await clientPeakRss("token", f.env);
    console.log(`peak RSS of a process meeting a 1 GB cache file: ${result.peakKiB} KiB`);
    expect(result.line.error).toBeUndefined();
    expect(result.line.source).toBe("network");
    expect(result.peakKiB).toBeGreaterThan(0);
    expect(result.peakKiB).toBeLessThan(300 * 1024);
    expect((await stat(f.cacheFile)).size).toBeLessThan(4096);
    expect(JSON.parse(await readFile(f.cacheFile, "utf8")).access_token).toBe(result.line.token);
    expect(f.gw.stats().tokensIssued).toBe(1);
  }, 90_000);
});

describe("writes that fail", () => {
  test("with a file size limit of 0 (RLIMIT_FSIZE: every write is EFBIG) a cold token is still served, a warning says so, and no temp file stays", async () => {
    const f = await fixture();
    const result = await clientWithFileLimit(0, "token", f.env);
    expect(result.line.error).toBeUndefined();
    expect(result.line.source).toBe("network");
    expect(result.line.warnings?.some((w) => w.includes("could not write the token cache"))).toBe(
      true,
    );
    expect(await temps(f.cacheDir)).toEqual([]);
    expect(leaked([result])).toEqual([]);
  }, 60_000);

  // The tmpfs is mounted in a user and mount namespace of the test's own (another-user.ts), where
  // any user may mount one: the same test as root and as anyone else, and nothing left mounted.
  const FULL_DISK =
    "on a full disk (a 64 KiB tmpfs, filled: ENOSPC) a cold token is still served and no temp file stays";
  test(FULL_DISK, async () => {
    if (!inUserNamespace) {
      const child = await runInUserNamespace(import.meta.path, FULL_DISK);
      expect(child.output).toContain(" 1 pass");
      expect(child.output).toContain(" 0 fail");
      expect(child.code).toBe(0);
      return;
    }
    const mountPoint = await tempDir("openclaw-full-disk-");
    const mounted = spawnSync(
      "mount",
      ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mountPoint],
      { encoding: "utf8" },
    );
    expect(mounted.stderr).toBe("");
    expect(mounted.status).toBe(0);
    try {
      const f = await fixture(mountPoint);
      await mkdir(f.cacheDir, { mode: 0o700 });
      // Fill the file system up to its last byte.
      const filler = await open(join(mountPoint, "filler"), "w");
      try {
        for (;;) await filler.write(new Uint8Array(4096));
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ENOSPC");
      } finally {
        await filler.close();
      }
      const result = await client("token", f.env);
      expect(result.line.error).toBeUndefined();
      expect(result.line.source).toBe("network");
      expect(result.line.warnings?.some((w) => w.includes("ENOSPC"))).toBe(true);
      expect(await temps(f.cacheDir)).toEqual([]);
    } finally {
      spawnSync("umount", ["-l", mountPoint]);
    }
  }, 60_000);
});

describe("a writer killed between its temp file and its rename", () => {
  async function killedWriter(f: Awaited<ReturnType<typeof fixture>>): Promise<string> {
    await mkdir(f.cacheDir, { recursive: true, mode: 0o700 });
    const child = Bun.spawn([process.execPath, CLIENT, "write-temp"], {
      env: f.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    const { temp } = JSON.parse(new TextDecoder().decode(value)) as { temp: string };
    child.kill("SIGKILL");
    await child.exited;
    // What it leaves: a private file under the documented temp name, holding the token.
    const name = temp.slice(f.cacheDir.length + 1);
    expect(name).toMatch(
      new RegExp(`^token_${f.key}\\.json\\.${child.pid}\\.\\d+\\.[0-9a-z]*\\.tmp$`),
    );
    expect((await lstat(temp)).mode & 0o777).toBe(0o600);
    expect(await readFile(temp, "utf8")).toContain("in-flight-token");
    return temp;
  }

  test("the next writer removes the temp file of a SIGKILLed writer", async () => {
    const f = await fixture();
    await killedWriter(f);
    const result = await client("token", f.env);
    expect(result.line.source).toBe("network");
    expect(await readdir(f.cacheDir)).toEqual([`token_${f.key}.json`]);
  }, 60_000);

  test("`openclaw-auth clear` removes the temp file of a SIGKILLed writer with the cache file", async () => {
    const f = await fixture();
    await killedWriter(f);
    const result = await run([process.execPath, CLI, "clear"], f.env);
    expect(result.code).toBe(0);
    expect(await readdir(f.cacheDir)).toEqual([]);
  }, 60_000);
});
