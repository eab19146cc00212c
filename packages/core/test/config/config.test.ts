/**
 * The configuration table and what is built from it: createConfig (the conformance tests, run
 * here against config.ts until the `.` entry exports it), the explicit env file, the zod-free
 * rules of cache.ts held against the zod path, and the README tables held against the
 * table.
 */
import { describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { createConfigTests } from "../../../conformance/src/suites/config.ts";
import { bunPlatform } from "../../src/bun/bun-platform.ts";
import {
  CONFIG_VARIABLES,
  createConfigWith,
  createEnvConfigWith,
  type EnvConfig,
  loadClientKeyFromEnvWith,
} from "../../src/config/config.ts";
import { layeredReader, parsePlainEnv } from "../../src/config/env-file.ts";
import { PLAIN_CONFIG_DEFERS, plainConfig } from "../../src/config/rules.ts";
import { ConfigError } from "../../src/errors/errors.ts";

const CLIENT_KEY = "ck-live-CANARY-7f3a9c";

createConfigTests({ describe, test }, createConfigWith, ConfigError);

/** The ConfigError `action` throws (the test fails when it throws none). */
function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

async function inTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "config-test-"));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the env file", () => {
  test("an explicit envFile that does not exist is a ConfigError naming envFile, not the path", async () => {
    await inTempDir((dir) => {
      const envFile = join(dir, `${CLIENT_KEY}.env`);
      const error = configError(() =>
        createEnvConfigWith(bunPlatform, { CLIENT_KEY }, { envFile }),
      );
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toBe("The env file named by envFile (--env-file) does not exist");
      const fromLoad = configError(() => loadClientKeyFromEnvWith(bunPlatform, {}, envFile));
      expect(fromLoad.message).toBe("The env file named by envPath does not exist");
    });
  });

  test("an env file that is a directory is a ConfigError with the reason, without the path", async () => {
    await inTempDir((dir) => {
      const error = configError(() =>
        createEnvConfigWith(bunPlatform, { CLIENT_KEY }, { envFile: dir }),
      );
      expect(error.message).toBe(
        "Not reading the env file named by envFile (--env-file): it is a directory, not a regular file",
      );
    });
  });

  test("the default .env may be missing, whether named or not; when present it is read", async () => {
    const cwd = process.cwd();
    await inTempDir(async (dir) => {
      process.chdir(dir);
      try {
        expect(createEnvConfigWith(bunPlatform, { CLIENT_KEY }).clientKeySource).toBe("env");
        expect(
          createEnvConfigWith(bunPlatform, { CLIENT_KEY }, { envFile: ".env" }).clientKey,
        ).toBe(CLIENT_KEY);
        expect(loadClientKeyFromEnvWith(bunPlatform, { CLIENT_KEY })).toBe(CLIENT_KEY);
        await writeFile(join(dir, ".env"), "CLIENT_KEY=from-file\nAUTH_MIN_TTL_SEC=7\n");
        const config = createEnvConfigWith(bunPlatform, {});
        expect([config.clientKey, config.clientKeySource, config.minTtlSec]).toEqual([
          "from-file",
          "env-file",
          7,
        ]);
      } finally {
        process.chdir(cwd);
      }
    });
  });
});

describe("createConfig and createEnvConfig agree", () => {
  test("the same settings as options and as variables give equal configs", () => {
    const fromOptions = createConfigWith({
      clientKey: CLIENT_KEY,
      authBase: "http://127.0.0.1:8080/",
      cacheDir: "/var/tmp/x/",
      minTtlSec: 5,
      sessionPath: "/s",
      timeoutMs: 99,
      allowedOrigins: ["https://a.example.com/"],
      redisUrl: "rediss://cache.example.com:6380",
      maxTtlSec: 600,
    });
    const fromEnv = createEnvConfigWith(
      bunPlatform,
      {
        CLIENT_KEY,
        AUTH_BASE: "http://127.0.0.1:8080/",
        AUTH_CACHE_DIR: "/var/tmp/x/",
        AUTH_MIN_TTL_SEC: "5",
        AUTH_SESSION_PATH: "/s",
        AUTH_TIMEOUT_MS: "99",
        AUTH_ALLOWED_ORIGINS: "https://a.example.com/",
        AUTH_REDIS_URL: "rediss://cache.example.com:6380",
        AUTH_MAX_TTL_SEC: "600",
      },
      { envFile: false },
    );
    // Equal but for where each setting came from.
    const { sources: _fromOptions, ...options } = fromOptions;
    const { sources: _fromEnv, ...variables } = fromEnv;
    expect({ ...options, clientKeySource: "env" }).toEqual(variables);
  });

  test("a rule broken as a variable and as an option gives the same message, named each way", () => {
    const cases: [string, string, string, unknown][] = [
      ["AUTH_BASE", "http://gw.example.com", "authBase", "http://gw.example.com"],
      ["AUTH_MIN_TTL_SEC", "86401", "minTtlSec", 86_401],
      ["AUTH_TIMEOUT_MS", "0", "timeoutMs", 0],
      ["AUTH_MAX_TTL_SEC", "0", "maxTtlSec", 0],
      ["AUTH_SESSION_PATH", "x", "sessionPath", "x"],
      ["AUTH_CACHE_DIR", "a\0b", "cacheDir", "a\0b"],
      ["AUTH_ALLOWED_ORIGINS", "a.example.com", "allowedOrigins", ["a.example.com"]],
      ["AUTH_REDIS_URL", "http://r", "redisUrl", "http://r"],
    ];
    for (const [name, text, field, value] of cases) {
      const fromEnv = configError(() =>
        createEnvConfigWith(bunPlatform, { CLIENT_KEY, [name]: text }, { envFile: false }),
      );
      const fromOptions = configError(() =>
        createConfigWith({ clientKey: CLIENT_KEY, [field]: value } as never),
      );
      expect(fromEnv.message.startsWith(`${name} must `)).toBe(true);
      expect(fromOptions.message).toBe(fromEnv.message.replace(name, field));
    }
  });
});

// ---- The zod-free rules against the zod path -------------------------------------------------

const PLAIN_FIELDS = ["authBase", "clientKey", "cacheDir", "minTtlSec", "maxTtlSec"] as const;

/** The runtime's config of `env` (and `fileEnv` as a `.env` file), or its error. */
async function runtimeConfig(
  env: Record<string, string>,
  fileText: string | undefined,
): Promise<EnvConfig | ConfigError> {
  return inTempDir(async (dir) => {
    const envFile = join(dir, "test.env");
    if (fileText !== undefined) await writeFile(envFile, fileText);
    try {
      return createEnvConfigWith(bunPlatform, env, {
        envFile: fileText === undefined ? false : envFile,
      });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
  });
}

describe("plainConfig", () => {
  // [what, environment, .env text or undefined, plainConfig decides]
  const cases: [string, Record<string, string>, string | undefined, boolean][] = [
    ["only the key", { CLIENT_KEY }, undefined, true],
    ["no key", {}, undefined, false],
    ["a blank key", { CLIENT_KEY: "  " }, undefined, false],
    ["a key with spaces around", { CLIENT_KEY: ` ${CLIENT_KEY} ` }, undefined, true],
    [
      "every variable it checks, at its limits",
      {
        CLIENT_KEY,
        AUTH_BASE: "http://127.0.0.1:8080//",
        AUTH_CACHE_DIR: "/tmp/x//",
        AUTH_MIN_TTL_SEC: "0",
        AUTH_SESSION_PATH: "/s",
        AUTH_TIMEOUT_MS: "600000",
        AUTH_MAX_TTL_SEC: "31536000",
      },
      undefined,
      true,
    ],
    [
      "blank values mean the defaults",
      { CLIENT_KEY, AUTH_BASE: "", AUTH_MIN_TTL_SEC: " " },
      undefined,
      true,
    ],
    ["loopback IPv6", { CLIENT_KEY, AUTH_BASE: "http://[::1]:9/" }, undefined, true],
    ["localhost", { CLIENT_KEY, AUTH_BASE: "http://localhost:9" }, undefined, true],
    ["cache dir /", { CLIENT_KEY, AUTH_CACHE_DIR: "/" }, undefined, true],
    [
      "plain http to a remote host",
      { CLIENT_KEY, AUTH_BASE: "http://gw.example.com" },
      undefined,
      false,
    ],
    ["a *.localhost name", { CLIENT_KEY, AUTH_BASE: "http://a.localhost" }, undefined, false],
    ["ftp", { CLIENT_KEY, AUTH_BASE: "ftp://127.0.0.1" }, undefined, false],
    ["not a URL", { CLIENT_KEY, AUTH_BASE: "gw.example.com" }, undefined, false],
    ["credentials", { CLIENT_KEY, AUTH_BASE: "https://u:p@gw.example.com" }, undefined, false],
    ["a query", { CLIENT_KEY, AUTH_BASE: "https://gw.example.com/?a=1" }, undefined, false],
    ["a fragment", { CLIENT_KEY, AUTH_BASE: "https://gw.example.com/#a" }, undefined, false],
    ["a NUL in the cache dir", { CLIENT_KEY, AUTH_CACHE_DIR: "/tmp/a\0b" }, undefined, false],
    ["min ttl 1e3", { CLIENT_KEY, AUTH_MIN_TTL_SEC: "1e3" }, undefined, false],
    ["min ttl -1", { CLIENT_KEY, AUTH_MIN_TTL_SEC: "-1" }, undefined, false],
    ["min ttl too large", { CLIENT_KEY, AUTH_MIN_TTL_SEC: "86401" }, undefined, false],
    [
      "min ttl of 21 digits",
      { CLIENT_KEY, AUTH_MIN_TTL_SEC: "999999999999999999999" },
      undefined,
      false,
    ],
    ["timeout 0", { CLIENT_KEY, AUTH_TIMEOUT_MS: "0" }, undefined, false],
    ["max ttl 0", { CLIENT_KEY, AUTH_MAX_TTL_SEC: "0" }, undefined, false],
    ["max ttl 1.5", { CLIENT_KEY, AUTH_MAX_TTL_SEC: "1.5" }, undefined, false],
    [
      "a protocol-relative session path",
      { CLIENT_KEY, AUTH_SESSION_PATH: "//x" },
      undefined,
      false,
    ],
    ["a relative session path", { CLIENT_KEY, AUTH_SESSION_PATH: "x" }, undefined, false],
    ["the key from the file", {}, `CLIENT_KEY=${CLIENT_KEY}\nAUTH_MIN_TTL_SEC=5\n`, true],
    [
      "the environment wins over the file; blank falls through",
      { CLIENT_KEY: "from-env", AUTH_MIN_TTL_SEC: " " },
      `CLIENT_KEY=from-file\nAUTH_MIN_TTL_SEC=5\nAUTH_BASE=http://127.0.0.1:1\n`,
      true,
    ],
    ["a bad value in the file", { CLIENT_KEY }, "AUTH_TIMEOUT_MS=soon\n", false],
    ...PLAIN_CONFIG_DEFERS.map(
      (name): [string, Record<string, string>, string | undefined, boolean] => [
        `${name} set`,
        {
          CLIENT_KEY,
          [name]: name === "AUTH_REDIS_URL" ? "redis://127.0.0.1" : "https://a.example.com",
        },
        undefined,
        false,
      ],
    ),
    [
      "AUTH_ALLOWED_ORIGINS from the file",
      { CLIENT_KEY },
      "AUTH_ALLOWED_ORIGINS=https://a.example.com\n",
      false,
    ],
  ];

  test.each(cases)(
    "%s: plainConfig defers or agrees exactly with the runtime",
    async (_, env, fileText, decides) => {
      const runtime = await runtimeConfig(env, fileText);
      const fileEnv = fileText === undefined ? {} : parsePlainEnv(fileText);
      expect(fileEnv).toBeObject();
      const plain = plainConfig(layeredReader(env, fileEnv ?? {}));
      if (decides) {
        expect(runtime).not.toBeInstanceOf(ConfigError);
        const expected = Object.fromEntries(
          PLAIN_FIELDS.map((field) => [field, (runtime as EnvConfig)[field]]),
        );
        expect(plain).toEqual(expected as never);
      } else {
        expect(plain).toBeUndefined();
      }
    },
  );

  test("it never reads a variable the runtime's table does not have, besides those it defers on", () => {
    const read: string[] = [];
    plainConfig((name) => {
      read.push(name);
      return undefined;
    });
    const known = new Set([...CONFIG_VARIABLES.map((v) => v.name), ...PLAIN_CONFIG_DEFERS]);
    expect(read.filter((name) => !known.has(name))).toEqual([]);
    // Every variable of the table is either checked or deferred on.
    expect(CONFIG_VARIABLES.map((v) => v.name).filter((name) => !read.includes(name))).toEqual([]);
  });
});

describe("parsePlainEnv", () => {
  // [text, read without dotenv]
  const cases: [string, boolean][] = [
    ["CLIENT_KEY=abc\nAUTH_BASE=http://127.0.0.1:8080\n", true],
    ["export CLIENT_KEY=abc", true],
    ["# comment\n\n   \n  # indented comment\nA=1\r\nB=2\r\n", true],
    ["A=1\nA=2\n", true],
    ["A=b=c", true],
    ["A=", true],
    ["A=ck-live_x.y:z/@+,~%", true],
    ["", true],
    ['A="quoted"', false],
    ["A='quoted'", false],
    ["A = 1", false],
    ["A=1 # comment", false],
    ["A=x#y", false],
    ["\uFEFFA=1", false],
    ["JUST_A_WORD", false],
    ["  A=1", false],
    ["A=two words", false],
    ["A=`x`", false],
    ["1A=x", false],
  ];

  test.each(cases)("%p: read as dotenv reads it, or left to dotenv", (text, plain) => {
    const parsed = parsePlainEnv(text);
    if (plain) expect(parsed).toEqual(parseDotenv(text));
    else expect(parsed).toBeUndefined();
  });
});

// ---- The docs against the table -------------------------------------------------------------

const ROOT = join(import.meta.dir, "../../../..");

/** The rows of the first table after `heading`, as header name -> cell text. */
function tableAfter(markdown: string, heading: string): Record<string, string>[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const first = lines.findIndex((line, i) => i > start && line.startsWith("|"));
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] as string)
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  const [header = [], , ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** A default as the docs write it. */
function documentedDefault(variable: (typeof CONFIG_VARIABLES)[number], language: "en" | "zh") {
  if (variable.required) return language === "en" ? "required" : "必填";
  if (variable.default === undefined) return language === "en" ? "none" : "无";
  if (variable.default === false) return language === "en" ? "off" : "关";
  return `\`${variable.default}\``;
}

describe("the README configuration tables", () => {
  const docs: [string, string, "en" | "zh", string, string][] = [
    ["README.md", "## Configuration", "en", "variable", "default"],
    ["README.zh-CN.md", "## 配置", "zh", "变量", "默认值"],
    ["packages/core/README.md", "## Configuration", "en", "variable", "default"],
  ];
  test.each(docs)(
    "%s lists exactly the table's variables, with its defaults",
    async (file, heading, language, nameColumn, defaultColumn) => {
      const rows = tableAfter(await readFile(join(ROOT, file), "utf8"), heading);
      expect(rows.map((row) => row[nameColumn])).toEqual(
        CONFIG_VARIABLES.map((v) => `\`${v.name}\``),
      );
      expect(rows.map((row) => row[defaultColumn])).toEqual(
        CONFIG_VARIABLES.map((v) => documentedDefault(v, language)),
      );
      if (rows[0]?.field !== undefined) {
        expect(rows.map((row) => row.field)).toEqual(CONFIG_VARIABLES.map((v) => `\`${v.field}\``));
      }
    },
  );
});
