/**
 * Seed example 1: create the config, make one auto-refreshing POST, print its status and body.
 *
 *   AUTH_BASE=https://gw.example.com CLIENT_KEY=… bun apps/examples/basic.ts [PATH] [JSON]
 *
 * PATH defaults to `/echo` (a dev gateway route; use one of your gateway's API paths), JSON to
 * `{"key":"value"}`. CLIENT_KEY may also come from `./.env`. Exit code 0 on a 2xx answer.
 */
import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime";
import { ExampleError, ExitCode, runExample } from "./lib/exit.ts";

await runExample(async () => {
  const [path = "/echo", json = '{"key":"value"}'] = process.argv.slice(2);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(json);
  } catch {
    throw new ExampleError("the second argument must be a JSON object", ExitCode.Usage);
  }

  const config = createEnvConfig(); // process.env first, then ./.env
  const res = await requestApiWithAutoRefresh({ config, method: "POST", url: path, body });

  console.log(`status: ${res.status}`);
  console.log(`body: ${res.body}`);
  if (!res.ok) process.exitCode = ExitCode.RequestFailed;
});
