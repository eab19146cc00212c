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

/** The client's one result line. */
export function report(result: { ok: boolean; source?: string; error?: string }): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
