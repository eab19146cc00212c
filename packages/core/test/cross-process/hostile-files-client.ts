/**
 * A child process for hostile-files.test.ts: config from the environment only, does one thing,
 * prints one JSON line on stdout.
 *
 * Commands (argv[2]):
 * - `token`       getAccessTokenInfo -> {source, token, warnings}; a failure
 *                 -> {error: {name, code, message}, warnings}
 * - `write-temp`  writes the cache file's temp file as writeFileAtomic does (the real first half
 *                 of it), prints {temp}, and waits to be killed before the rename
 */
import {
  cacheFilePath,
  createEnvConfig,
  createTokenManager,
  getAccessTokenInfo,
} from "../fixtures/internal-api.ts";

const command = process.argv[2];
const config = createEnvConfig(process.env, { envFile: false });
const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (command === "token") {
  const warnings: string[] = [];
  try {
    const tokenManager = createTokenManager({ config, onWarning: (w) => warnings.push(w) });
    const info = await getAccessTokenInfo({ tokenManager });
    print({ source: info.source, token: info.accessToken, warnings });
  } catch (error) {
    const { name, message } = error as Error;
    const code = (error as { code?: unknown }).code;
    print({ error: { name, code, message }, warnings });
  }
} else if (command === "write-temp") {
  const token = JSON.stringify({
    access_token: "in-flight-token",
    expires_at: 2e9,
    expires_in: 900,
  });
  const { writeTempFile } = await import("../../src/posix/posix-files.ts");
  print({ temp: await writeTempFile(cacheFilePath(config), token) });
  setInterval(() => {}, 60_000);
} else {
  print({ error: { name: "UsageError", message: `unknown command ${command}` } });
  process.exit(2);
}
