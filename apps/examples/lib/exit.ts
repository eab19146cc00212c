/**
 * How the example scripts end: one line on stderr and the same exit codes as the CLI
 * (0 ok, 1 request failed, 2 usage or config error, 3 auth error, 4 network error).
 */
import { isAuthRuntimeError } from "@openclaw/auth-runtime";

export const ExitCode = { Ok: 0, RequestFailed: 1, Usage: 2, Auth: 3, Network: 4 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error of the example itself (bad argument, unexpected answer) with its exit code. */
export class ExampleError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = "ExampleError";
    this.exitCode = exitCode;
  }
}

/**
 * The exit code for an error thrown by the runtime or an example. The runtime's messages never
 * contain the client key or a token, so they can be shown as they are.
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof ExampleError) return error.exitCode;
  if (!isAuthRuntimeError(error)) return ExitCode.RequestFailed;
  switch (error.code) {
    case "CONFIG_ERROR":
      return ExitCode.Usage;
    case "AUTH_SESSION_ERROR":
      return ExitCode.Auth;
    case "AUTH_NETWORK_ERROR":
      return ExitCode.Network;
    default:
      // ApiError: a URL the token may not go to is the caller's doing; anything else got no answer.
      return error.reason === "refused" ? ExitCode.Usage : ExitCode.Network;
  }
}

/** How {@link runExample} reports a failure. */
export interface RunExampleOptions {
  /**
   * One JSON object on stderr, `{"error":{"code","message"}}` (code: the runtime's error code, or
   * USAGE_ERROR / REQUEST_FAILED / AUTH_ERROR for the example's own), as the CLI under `--json`.
   * @default false
   */
  readonly json?: boolean;
}

const OWN_CODES: Readonly<Record<ExitCode, string>> = {
  0: "OK",
  1: "REQUEST_FAILED",
  2: "USAGE_ERROR",
  3: "AUTH_ERROR",
  4: "NETWORK_ERROR",
};

/**
 * Runs an example's main function: on failure, one line on stderr and the matching exit code.
 *
 * @example
 * await runExample(async () => console.log(await getAccessToken()));
 */
export async function runExample(
  main: () => Promise<void>,
  options: RunExampleOptions = {},
): Promise<void> {
  try {
    await main();
  } catch (error) {
    const exitCode = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (options.json) {
      const code = isAuthRuntimeError(error) ? error.code : OWN_CODES[exitCode];
      process.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
    } else {
      const code = isAuthRuntimeError(error) ? ` [${error.code}]` : "";
      process.stderr.write(`error${code}: ${message}\n`);
    }
    process.exitCode = exitCode;
  }
}
