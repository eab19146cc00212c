/**
 * A storm client with the runtime: loads it, waits for the start line, gets a token
 * (getAccessTokenInfo, so the parent sees where it came from) and reports. Config from env.
 */
import { createEnvConfig, getAccessTokenInfo } from "@openclaw/auth-runtime";
import { report, waitForGo } from "./barrier.ts";

const config = createEnvConfig(process.env, { envFile: false });
await waitForGo();
try {
  const info = await getAccessTokenInfo({ config });
  report({ ok: info.accessToken.length > 0, source: info.source });
} catch (error) {
  report({ ok: false, error: (error as Error).name });
}
