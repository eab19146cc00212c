/**
 * The client of the conformance suite's process protocol (README.md, "The client script
 * protocol"), written once: each runtime's fixture passes its own public API in. Web and
 * Node-standard APIs only, like the rest of the suite: the Node fixture bundles it.
 */
import type { RuntimeApi } from "./types.ts";

/** The part of a runtime's public API the client calls. */
export type ClientApi = Pick<
  RuntimeApi,
  "createEnvConfig" | "createTokenManager" | "getAccessTokenInfo" | "refreshAccessToken"
>;

function print(line: unknown): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Runs one command of the protocol (`config`, `token`, `refresh`, `token-abort <ms>`, `token-poll <ms>`)
 * with the config of the environment and prints one JSON line. Never calls `process.exit`: it sets the exit code
 * (0, 1 on an error, 2 on a usage error), so the process ends only when nothing the runtime
 * started (a request, a retry, a sleep, a lock wait) keeps it alive, which the `token-abort`
 * test relies on.
 *
 * @example
 * // packages/core/test/fixtures/client.ts
 * import * as api from "../../src/index.ts";
 * await runConformanceClient(api);
 */
export async function runConformanceClient(
  api: ClientApi,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const [command, arg] = argv;
  try {
    if (command === "config") {
      // The config as a process started in its working dir builds it, its .env files included.
      const { authBase, clientKeySource, sources } = api.createEnvConfig(process.env);
      print({ authBase, clientKeySource, sources });
      return;
    }
    const config = api.createEnvConfig(process.env, { envFile: false });
    if (command === "token") {
      const info = await api.getAccessTokenInfo({ config });
      print({ token: info.accessToken, source: info.source });
    } else if (command === "refresh") {
      print({ token: await api.refreshAccessToken({ config }), source: "refresh" });
    } else if (command === "token-poll" && /^\d+$/.test(arg ?? "")) {
      // A lock waiter that polls every <ms>; CONFORMANCE_LOCK_NOTIFY=0: poll only. `waited`:
      // how its wait for the lock ended (lock.waited), null when it found no lock held.
      let waited: { ms: number; outcome: string } | null = null;
      const tokenManager = api.createTokenManager({
        config,
        lockWait: {
          initialPollMs: Number(arg),
          maxPollMs: Number(arg),
          notify: process.env.CONFORMANCE_LOCK_NOTIFY !== "0",
        },
        onEvent: (event) => {
          if (event.type === "lock.waited") waited = { ms: event.ms, outcome: event.outcome };
        },
      });
      const started = Date.now();
      const info = await api.getAccessTokenInfo({ config, tokenManager });
      const elapsedMs = Date.now() - started;
      print({ token: info.accessToken, source: info.source, elapsedMs, waited });
    } else if (command === "token-abort" && /^\d+$/.test(arg ?? "")) {
      // The only caller gives up after <ms>; the process must then end by itself.
      const controller = new AbortController();
      setTimeout(() => controller.abort(), Number(arg));
      const info = await api.getAccessTokenInfo({ config, signal: controller.signal });
      print({ token: info.accessToken, source: info.source });
    } else {
      process.stderr.write("usage: client config|token|refresh|token-abort <ms>|token-poll <ms>\n");
      process.exitCode = 2;
    }
  } catch (error) {
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    print({ error: { name, code, message } });
    process.exitCode = 1;
  }
}
