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

/** Runs an example's main function: on failure, one line on stderr and the matching exit code. */
export async function runExample(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const code = isAuthRuntimeError(error) ? ` [${error.code}]` : "";
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error${code}: ${message}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
