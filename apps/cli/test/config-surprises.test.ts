/**
 * The configuration without silent surprises through the CLI (issue 28): a misspelt variable is
 * one warning line on stderr with the name meant, cold or warm; AUTH_DEBUG takes yes/true/on;
 * `AUTH_CACHE_DIR=~/…` in ./.env is under HOME (no `./~`), and the warm path agrees.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { warmConfig } from "../src/main.ts";
import { CLIENT_KEY, expectErrorLine, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** A value no message may repeat. */
const TYPO_VALUE = "typo-VALUE-9c41";

const warningLines = (stderr: string) =>
  stderr.split("\n").filter((line) => line.includes("unknown variable"));

describe("a misspelt variable", () => {
  test(
    "AUTH_BSAE and a typo in ./.env: one warning line with did-you-mean, cold and warm, no value",
    async () => {
      await writeFile(join(fx.dir, ".env"), `AUTH_CACHEDIR=/tmp/${TYPO_VALUE}\n`, { mode: 0o600 });
      const env = { AUTH_BSAE: `http://127.0.0.1:9/${TYPO_VALUE}` };
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const run = await fx.run(["token"], { env });
        expect(run.code, run.stderr).toBe(0);
        tokens.push(run.stdout);
        const lines = warningLines(run.stderr);
        expect(lines, run.stderr).toHaveLength(1);
        expect(lines[0]).toStartWith("openclaw-auth: warning: ");
        expect(lines[0]).toContain("AUTH_BSAE in the environment (did you mean AUTH_BASE?)");
        expect(lines[0]).toContain(
          "AUTH_CACHEDIR in the env file ./.env (did you mean AUTH_CACHE_DIR?)",
        );
        expect(run.stderr).not.toContain(TYPO_VALUE);
      }
      // The second token came from the cache: a warm cache does not hide the warning.
      expect(tokens[1]).toBe(tokens[0] as string);
      expect(fx.gateway.stats().requests["/auth/session"]).toBe(1);
      // With --json, the same warning as one JSON object on stderr.
      const json = await fx.run(["token", "--json"], { env });
      const [line] = warningLines(json.stderr);
      expect(JSON.parse(line ?? "{}").warning.message).toContain("did you mean AUTH_BASE?");
    },
    TIMEOUT_MS,
  );

  test("the warm path defers to the runtime when a variable is not one it reads", () => {
    const env = { CLIENT_KEY, AUTH_BASE: "http://127.0.0.1:9", HOME: "/home/x" };
    expect(warmConfig(env, undefined, fx.dir)).toBeDefined();
    expect(warmConfig({ ...env, AUTH_BSAE: "x" }, undefined, fx.dir)).toBeUndefined();
    expect(warmConfig({ ...env, auth_base: "x" }, undefined, fx.dir)).toBeUndefined();
    // Another family, or blank: nothing the runtime would say.
    expect(warmConfig({ ...env, AUTHOR: "x", AUTH_BSAE: " " }, undefined, fx.dir)).toBeDefined();
  });
});

describe("AUTH_DEBUG", () => {
  test(
    "yes prints the debug lines; maybe is a CONFIG_ERROR naming AUTH_DEBUG, not the value",
    async () => {
      const on = await fx.run(["token"], { env: { AUTH_DEBUG: "yes" } });
      expect(on.code, on.stderr).toBe(0);
      expect(on.stderr).toContain("openclaw-auth: token.acquired source=network");
      const bad = await fx.run(["token"], { env: { AUTH_DEBUG: `maybe-${TYPO_VALUE}` } });
      expect(bad.code).toBe(2);
      expectErrorLine(bad, "CONFIG_ERROR");
      expect(bad.stderr).toContain("AUTH_DEBUG must be 1, true, yes or on (on), or 0, false");
      expect(bad.stderr).not.toContain(TYPO_VALUE);
    },
    TIMEOUT_MS,
  );
});

describe("~ in AUTH_CACHE_DIR", () => {
  test(
    "AUTH_CACHE_DIR=~/.cache/openclaw-auth in ./.env: the cache is under HOME, no ./~, warm too",
    async () => {
      const home = join(fx.dir, "home");
      const work = join(fx.dir, "work");
      await mkdir(home);
      await mkdir(work);
      await writeFile(join(work, ".env"), "AUTH_CACHE_DIR=~/.cache/openclaw-auth\n", {
        mode: 0o600,
      });
      const env = { HOME: home, AUTH_CACHE_DIR: undefined };
      const cold = await fx.run(["token", "--json"], { env, cwd: work });
      expect(cold.code, cold.stderr).toBe(0);
      const warm = await fx.run(["token", "--json"], { env, cwd: work });
      expect(warm.code, warm.stderr).toBe(0);
      expect([JSON.parse(cold.stdout).source, JSON.parse(warm.stdout).source]).toEqual([
        "network",
        "cache",
      ]);
      const cacheDir = join(home, ".cache", "openclaw-auth");
      expect((await readdir(cacheDir)).filter((f) => f.endsWith(".json"))).toHaveLength(1);
      expect(existsSync(join(work, "~"))).toBe(false);
      expect(await readdir(work)).toEqual([".env"]);
      // The warm path reads the same dir.
      const warmEnv = { CLIENT_KEY, AUTH_BASE: fx.gateway.url, HOME: home };
      expect(warmConfig(warmEnv, join(work, ".env"), work)?.cacheDir).toBe(cacheDir);
    },
    TIMEOUT_MS,
  );

  test("~user/… is a CONFIG_ERROR saying only ~ and ~/ are expanded", async () => {
    const run = await fx.run(["token"], { env: { AUTH_CACHE_DIR: "~root/cache" } });
    expect(run.code).toBe(2);
    expectErrorLine(run, "CONFIG_ERROR");
    expect(run.stderr).toContain(
      "AUTH_CACHE_DIR may start with ~ or ~/ (the home dir) only: ~user is not expanded",
    );
    expect(existsSync(join(fx.dir, "~root"))).toBe(false);
  });
});
