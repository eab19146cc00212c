/**
 * `.` is the user API, and each runtime's entry makes it its own way (core's src/index.ts with
 * Bun's binding, @openclaw/auth-runtime-node's src/index.ts with Node's): both export exactly the
 * names below, values and types, read by the compiler from their sources. Adding or losing a name
 * of `.` is a change of the public API, made here on purpose or not at all. (The Node tests also
 * compare the built package's values with Bun's: packages/node/test/api.node.ts.)
 */
import { describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const VALUES = [
  "ApiError",
  "ApiResponse",
  "AuthNetworkError",
  "AuthRuntimeError",
  "AuthSessionError",
  "ConfigError",
  "DEFAULT_API_RETRY_POLICY",
  "DRY_RUN_TOKEN",
  "ErrorCode",
  "authFetch",
  "cacheFilePath",
  "clearCachedToken",
  "createAuthFetch",
  "createConfig",
  "createEnvConfig",
  "createTokenManager",
  "getAccessToken",
  "getAccessTokenInfo",
  "isAuthFailure",
  "isAuthRuntimeError",
  "loadClientKeyFromEnv",
  "refreshAccessToken",
  "requestApi",
  "requestApiWithAutoRefresh",
  "subscribe",
];

const TYPES = [
  "ApiBody",
  "ApiErrorReason",
  "ApiRequestInit",
  "ApiRetryOption",
  "ApiRetryPolicy",
  "AuthEvent",
  "AuthEventListener",
  "AuthEventType",
  "AuthFailureDetector",
  "AuthFetch",
  "AuthFetchOptions",
  "AuthNetworkErrorReason",
  "AutoRefreshRequestOptions",
  "CacheWarningEvent",
  "ConfigOptions",
  "ConfigSource",
  "ConfigWarningEvent",
  "EnvConfig",
  "EnvConfigOptions",
  "FetchLike",
  "HeadersInit",
  "LockWaitedEvent",
  "RedirectMode",
  "RefreshOptions",
  "RequestApiOptions",
  "RequestRetriedEvent",
  "RequestRetryEvent",
  "TokenAcquiredEvent",
  "TokenInfo",
  "TokenManager",
  "TokenManagerInit",
  "TokenOptions",
  "TokenRefreshedEvent",
  "TokenRetryEvent",
  "TokenSource",
  "TokenStaleServedEvent",
  "TokenTier",
];

const ENTRIES = {
  bun: fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
  node: fileURLToPath(new URL("../../../node/src/index.ts", import.meta.url)),
};
const USER_API = fileURLToPath(new URL("../../src/user-api.ts", import.meta.url));
/** Reading core's and zod's declarations takes a few seconds on a busy machine. */
const COMPILE_TIMEOUT_MS = 60_000;

/** Every name each entry exports, values and types, as a consumer's compiler sees them. */
function exportedNames(): Record<keyof typeof ENTRIES, string[]> {
  const program = ts.createProgram(Object.values(ENTRIES), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    // Node's entry reaches core's sources as its own typecheck does (packages/node/tsconfig.json).
    customConditions: ["@openclaw/source"],
    paths: { "@openclaw/auth-runtime/user-api": [USER_API] },
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["bun", "node"],
  });
  const checker = program.getTypeChecker();
  const namesOf = (file: string) => {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`the compiler did not load ${file}`);
    return checker
      .getExportsOfModule(module)
      .map((symbol) => symbol.name)
      .sort();
  };
  return { bun: namesOf(ENTRIES.bun), node: namesOf(ENTRIES.node) };
}

describe("the user API (.)", () => {
  test(
    "exports the same names on Bun and on Node, and only those",
    () => {
      const expected = [...VALUES, ...TYPES].sort();
      const names = exportedNames();
      expect(names.bun).toEqual(expected);
      expect(names.node).toEqual(expected);
    },
    COMPILE_TIMEOUT_MS,
  );

  test("its values on Bun are the listed ones", async () => {
    expect(Object.keys(await import("../../src/index.ts")).sort()).toEqual([...VALUES].sort());
  });

  test("its functions work taken off the module, with no `this`", async () => {
    const { cacheFilePath, createConfig } = await import("../../src/index.ts");
    const config = createConfig({
      authBase: "https://gw.example.com",
      clientKey: "ck-entry-names",
      cacheDir: "/tmp/openclaw-entry-names",
    });
    expect(Reflect.apply(cacheFilePath, undefined, [config])).toMatch(
      /^\/tmp\/openclaw-entry-names\/token_[0-9a-f]{32}\.json$/,
    );
  });
});
