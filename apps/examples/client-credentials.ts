/**
 * OAuth 2.0 client_credentials: the same runtime for an API behind a standard authorization
 * server (Keycloak, Auth0, Okta, Microsoft Entra ID…). The token is cached in memory and in the
 * cache dir, shared by every process on the machine (one token request for all of them), and
 * refreshed before it expires or when the API refuses it.
 *
 *   AUTH_GRANT=client_credentials AUTH_BASE=https://api.example.com \
 *   AUTH_TOKEN_URL=https://idp.example.com/oauth2/token   # or AUTH_ISSUER=https://idp.example.com
 *   AUTH_CLIENT_ID=my-service CLIENT_KEY=<client secret> AUTH_SCOPE="api.read" \
 *   bun apps/examples/client-credentials.ts [PATH]
 *
 * `AUTH_CLIENT_AUTH=private_key_jwt` with CLIENT_KEY a PKCS#8 PEM private key signs a client
 * assertion instead of sending a secret. PATH (default `/`) is a GET on AUTH_BASE. Exit codes as
 * the CLI's: 0 on a 2xx answer, 1 on another status, 2 config, 3 refused credentials, 4 network.
 *
 * Offline, with no authorization server of your own: `--dev-gateway` starts the dev gateway
 * in-process (its OAuth 2.0 token endpoint and discovery) and uses it as issuer and API, with a
 * temp cache dir; the environment is not read then.
 *
 *   bun apps/examples/client-credentials.ts --dev-gateway [PATH]   # PATH default /echo
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createEnvConfig,
  type EnvConfig,
  getAccessTokenInfo,
  requestApiWithAutoRefresh,
} from "@openclaw/auth-runtime";
import {
  DEFAULT_DEV_CLIENT_ID,
  DEFAULT_DEV_CLIENT_KEY,
  startDevGateway,
} from "@openclaw/dev-gateway";
import { ExampleError, ExitCode, runExample } from "./lib/exit.ts";

const args = process.argv.slice(2);
const offline = args[0] === "--dev-gateway";
const path = (offline ? args[1] : args[0]) ?? (offline ? "/echo" : "/");

await runExample(async () => {
  if (!path.startsWith("/")) {
    throw new ExampleError("PATH must start with '/' (it is sent to AUTH_BASE)", ExitCode.Usage);
  }
  if (!offline) return callApi(createEnvConfig()); // process.env first, then ./.env
  const gateway = startDevGateway();
  const cacheDir = await mkdtemp(join(tmpdir(), "openclaw-oauth-example-"));
  try {
    // What AUTH_GRANT=client_credentials AUTH_ISSUER=… AUTH_CLIENT_ID=… would configure.
    const config = createEnvConfig(
      {
        AUTH_GRANT: "client_credentials",
        AUTH_BASE: gateway.url,
        AUTH_ISSUER: gateway.url,
        AUTH_CLIENT_ID: DEFAULT_DEV_CLIENT_ID,
        CLIENT_KEY: DEFAULT_DEV_CLIENT_KEY,
        AUTH_CACHE_DIR: cacheDir,
      },
      { envFile: false },
    );
    console.log(`dev gateway: ${gateway.url} (issuer, token endpoint /oauth/token, API)`);
    await callApi(config);
  } finally {
    await gateway.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
});

async function callApi(config: EnvConfig): Promise<void> {
  if (config.grant !== "client_credentials") {
    throw new ExampleError("set AUTH_GRANT=client_credentials (see the README)", ExitCode.Usage);
  }

  // Where the token came from (network the first time, then memory or the shared cache file)
  // and how long it lives: never the token itself.
  const info = await getAccessTokenInfo({ config });
  console.log(`token: from ${info.source}, expires in ${info.expiresIn} s`);

  const res = await requestApiWithAutoRefresh({ config, url: path });
  console.log(`status: ${res.status}`);
  console.log(`body: ${res.body}`);
  if (!res.ok) process.exitCode = ExitCode.RequestFailed;
}
