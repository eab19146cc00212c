/**
 * A CLI run that used Redis exits as soon as its work is done: a call or a subscription
 * answered in time leaves no timer of its bound behind to hold the process open.
 */
import { expect, test } from "bun:test";
import { fileURLToPath } from "node:url";

const FINISHED_CALLS = fileURLToPath(new URL("./fixtures/finished-calls.ts", import.meta.url));

test("a process whose Redis calls were answered exits at once, not when their 20 s bounds end", async () => {
  const started = Date.now();
  // The parent's environment: a mutation run's active mutant reaches the child.
  const child = Bun.spawn([process.execPath, FINISHED_CALLS], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  clearTimeout(timer);
  expect(out.trim()).toBe("done");
  expect(code).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
}, 20_000);
