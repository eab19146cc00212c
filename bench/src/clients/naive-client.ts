/** A storm client with the naive algorithm (naive.ts); config from env, as storm-client.ts. */
import { naiveGetToken } from "../naive.ts";
import { cpuMsSince, report, waitForGo } from "./barrier.ts";

const env = process.env;
const config = {
  authBase: env.AUTH_BASE ?? "",
  clientKey: env.CLIENT_KEY ?? "",
  cacheDir: env.AUTH_CACHE_DIR ?? "",
};
await waitForGo();
const released = process.cpuUsage();
try {
  const { source } = await naiveGetToken(config);
  report({ ok: true, source, cpuMs: cpuMsSince(released) });
} catch (error) {
  report({ ok: false, error: (error as Error).name });
}
