/**
 * What the file store does to its directory besides reading and writing the token: it makes a
 * readable directory of ours private when it writes, sweeps the temp files that dead writers
 * left, and leaves alone what is not its own. In-process, so each case is quick to check.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileTokenStore } from "../fixtures/internal-api.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "f".repeat(32);
/** A pid far above any pid_max in use: no process has it. */
const DEAD_PID = 2 ** 30;
const token = (accessToken: string, expiresAt: number) => ({
  accessToken,
  expiresAt,
  expiresIn: 900,
});

let root: string;
let dir: string;
let warnings: string[];
const store = () => createFileTokenStore(dir, (message) => warnings.push(message));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openclaw-upkeep-"));
  dir = join(root, "cache");
  warnings = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a cache dir of ours that others can read", () => {
  test("is made 0700 when a token is written, and the token is written", async () => {
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await store().set(KEY, token("t-private", 2_000_000_000));
    expect((await lstat(dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(join(dir, `token_${KEY}.json`), "utf8")).access_token).toBe(
      "t-private",
    );
    expect(warnings).toEqual([]);
  });

  test("is left as it is by a read, which changes nothing", async () => {
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    expect(await store().get(KEY)).toBeUndefined();
    expect((await lstat(dir)).mode & 0o777).toBe(0o755);
    expect(warnings).toEqual([]);
  });
});

describe("temp files left in the cache dir", () => {
  test("a write sweeps the temp files of dead writers and old ones; live writers' and others' stay", async () => {
    await mkdir(dir, { mode: 0o700 });
    const dead = [
      `token_${KEY}.json.${DEAD_PID}.1.ab.tmp`,
      `token_${OTHER_KEY}.lock.${DEAD_PID}.2.ab.tmp`,
      `discovery_${OTHER_KEY}.json.${DEAD_PID}.3.ab.tmp`,
    ];
    // Our own pid is alive; an old one is swept all the same (its writer died and the pid
    // came back to someone else).
    const old = `token_${OTHER_KEY}.json.${process.pid}.4.ab.tmp`;
    const live = `token_${OTHER_KEY}.json.${process.pid}.5.ab.tmp`;
    const notOurs = [
      `notes_txt.${DEAD_PID}.6.ab.tmp`,
      `token_${KEY}.json`.replace(".json", ".jsonx"),
      "readme.txt",
    ];
    for (const name of [...dead, old, live, ...notOurs]) {
      await writeFile(join(dir, name), "x", { mode: 0o600 });
    }
    const longAgo = new Date(Date.now() - 61_000);
    await utimes(join(dir, old), longAgo, longAgo);

    await store().set(KEY, token("t-swept", 2_000_000_000));

    expect((await readdir(dir)).sort()).toEqual([`token_${KEY}.json`, live, ...notOurs].sort());
  });

  test("a temp file of a live writer younger than a minute is not swept", async () => {
    await mkdir(dir, { mode: 0o700 });
    const live = `token_${OTHER_KEY}.json.${process.pid}.7.ab.tmp`;
    await writeFile(join(dir, live), "x", { mode: 0o600 });
    const recent = new Date(Date.now() - 50_000);
    await utimes(join(dir, live), recent, recent);
    await store().set(KEY, token("t-kept", 2_000_000_000));
    expect((await readdir(dir)).sort()).toEqual([live, `token_${KEY}.json`].sort());
  });
});

describe("temp files that are not a dead writer's", () => {
  test("a fresh temp file of another live process is not swept", async () => {
    await mkdir(dir, { mode: 0o700 });
    // Our parent process (the test runner's shell or bun) is alive and is not us.
    const live = `token_${OTHER_KEY}.json.${process.ppid}.8.ab.tmp`;
    await writeFile(join(dir, live), "x", { mode: 0o600 });
    await store().set(KEY, token("t-kept", 2_000_000_000));
    expect((await readdir(dir)).sort()).toEqual([live, `token_${KEY}.json`].sort());
  });

  test("a dead writer's temp file whose name only ends like ours is not swept", async () => {
    await mkdir(dir, { mode: 0o700 });
    const foreign = [
      `my-token_${OTHER_KEY}.json.${DEAD_PID}.9.ab.tmp`,
      `x.token_${OTHER_KEY}.json.${DEAD_PID}.10.ab.tmp`,
    ];
    for (const name of foreign) await writeFile(join(dir, name), "x", { mode: 0o600 });
    await store().set(KEY, token("t-kept", 2_000_000_000));
    expect((await readdir(dir)).sort()).toEqual([...foreign, `token_${KEY}.json`].sort());
  });
});

describe("a stored token and a new one", () => {
  test("a token that expires later than the stored one replaces it; an equal expiry does too", async () => {
    const s = store();
    await s.set(KEY, token("first", 2_000_000_000));
    await s.set(KEY, token("later", 2_000_000_100));
    expect((await s.get(KEY))?.accessToken).toBe("later");
    await s.set(KEY, token("same-expiry", 2_000_000_100));
    expect((await s.get(KEY))?.accessToken).toBe("same-expiry");
    await s.set(KEY, token("earlier", 2_000_000_050));
    expect((await s.get(KEY))?.accessToken).toBe("same-expiry");
  });
});
