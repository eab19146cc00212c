/**
 * The start line of a storm client: says "ready" on stdout, then waits for one line on stdin, so
 * the parent can release every process at the same moment after all have loaded.
 */
export async function waitForGo(): Promise<void> {
  process.stdout.write("ready\n");
  const reader = Bun.stdin.stream().getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

/** The CPU (user + system) this process has used since `since` (a `process.cpuUsage()`), in ms. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * The client's one result line. `cpuMs`: its CPU from the release to its token; `source`
 * "network" marks the process that asked the gateway (the lock holder), any other a waiter.
 */
export function report(result: {
  ok: boolean;
  source?: string;
  error?: string;
  cpuMs?: number;
}): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
