/**
 * A storm client with the runtime: loads it, waits for the start line, gets a token
 * (getAccessTokenInfo, so the parent sees where it came from) and reports. Config from env;
 * BENCH_LOCK_NOTIFY=0 (the bench's own switch) makes lock waiters poll only
 * (`lockWait: { notify: false }`), for the side-by-side of notifications and the poll. Reports
 * its CPU from the release to its token.
 */
import { createEnvConfig, createTokenManager, getAccessTokenInfo } from "@openclaw/auth-runtime";
import { cpuMsSince, report, waitForGo } from "./barrier.ts";

const config = createEnvConfig(process.env, { envFile: false });
await waitForGo();
const released = process.cpuUsage();
try {
  // Made after the start line, as the process-wide manager is: a manager starts work when made
  // (the optional OpenTelemetry import), which must fall inside the measured time for both.
  const tokenManager =
    process.env.BENCH_LOCK_NOTIFY === "0"
      ? createTokenManager({ config, lockWait: { notify: false } })
      : undefined;
  const info = await getAccessTokenInfo({ config, tokenManager });
  const cpuMs = cpuMsSince(released);
  report({ ok: info.accessToken.length > 0, source: info.source, cpuMs });
} catch (error) {
  report({ ok: false, error: (error as Error).name });
}
