import { afterEach, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const LISTENING = /^dev gateway listening on (http:\/\/127\.0\.0\.1:\d+)$/;

type Child = Bun.Subprocess<"ignore", "pipe", "pipe">;
const children: Child[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function spawnMain(args: string[]): Child {
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(child);
  return child;
}

/** Reads the child's stdout in the background: its first line, and all of it once it closes. */
function watchStdout(
  child: Child,
  timeoutMs = 15_000,
): { line: Promise<string>; all: Promise<string> } {
  const { promise: line, resolve: resolveLine } = Promise.withResolvers<string>();
  // A generous deadline: CI machines can be slow to start a process.
  const deadline = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const all = (async () => {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes("\n")) {
        clearTimeout(deadline);
        resolveLine(text.slice(0, text.indexOf("\n")));
      }
    }
    clearTimeout(deadline);
    resolveLine(text);
    return text;
  })();
  return { line, all };
}

async function listeningUrl(child: Child): Promise<string | undefined> {
  return LISTENING.exec(await watchStdout(child).line)?.[1];
}

describe("the dev-gateway bin (src/main.ts)", () => {
  test("prints one URL line, serves /health and tokens, and exits 0 on SIGTERM", async () => {
    const child = spawnMain(["--port", "0", "--ttl", "60", "--client-key", "bin-secret-key"]);
    const stdout = watchStdout(child);
    const url = LISTENING.exec(await stdout.line)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);

    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ ok: true });
    const session = await fetch(`${url}/auth/session`, {
      method: "POST",
      body: JSON.stringify({ clientKey: "bin-secret-key" }),
    });
    expect(await session.json()).toMatchObject({ expiresIn: 60, tokenType: "Bearer" });

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const everything = await stdout.all;
    expect(everything).toBe(`dev gateway listening on ${url}\n`);
    const stderr = await new Response(child.stderr).text();
    expect(`${everything}${stderr}`).not.toContain("bin-secret-key");
  }, 30_000);

  test("accepts --client-key more than once and stops on SIGINT", async () => {
    const child = spawnMain(["--client-key", "key-one", "--client-key", "key-two"]);
    const url = await listeningUrl(child);
    for (const clientKey of ["key-one", "key-two"]) {
      const response = await fetch(`${url}/auth/session`, {
        method: "POST",
        body: JSON.stringify({ clientKey }),
      });
      expect(response.status).toBe(200);
    }
    child.kill("SIGINT");
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("accepts the default dev client key when none is given", async () => {
    const child = spawnMain([]);
    const url = await listeningUrl(child);
    const response = await fetch(`${url}/auth/session`, {
      method: "POST",
      body: JSON.stringify({ clientKey: "dev-client-key" }),
    });
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 30_000);

  test.each([
    ["an unknown flag", ["--bogus"], "--bogus"],
    ["a non-numeric port", ["--port", "abc"], "--port"],
    ["a zero ttl", ["--ttl", "0"], "--ttl"],
  ])(
    "exits 2 with one stderr line for %s",
    async (_, args, mention) => {
      const child = spawnMain(args);
      expect(await child.exited).toBe(2);
      const stderr = await new Response(child.stderr).text();
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toContain(mention);
      expect(await new Response(child.stdout).text()).toBe("");
    },
    30_000,
  );

  test("a second gateway on the port of a running one exits 1 instead of sharing it", async () => {
    const first = spawnMain([]);
    const url = await listeningUrl(first);
    const port = new URL(url ?? "http://x").port;
    const second = spawnMain(["--port", port]);
    const ended = await Promise.race([second.exited, Bun.sleep(10_000).then(() => "running")]);
    expect(ended).toBe(1);
    expect(await new Response(second.stderr).text()).toContain("cannot listen");
    expect(await new Response(second.stdout).text()).toBe("");
    // Every request still reaches the first one: its tokens are accepted.
    for (let i = 0; i < 8; i++) {
      const session = await fetch(`${url}/auth/session`, {
        method: "POST",
        body: JSON.stringify({ clientKey: "dev-client-key" }),
      });
      const { accessToken } = (await session.json()) as { accessToken: string };
      const echo = await fetch(`${url}/echo`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(echo.status).toBe(200);
    }
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 30_000);

  test("bound to 0.0.0.0, it prints the loopback URL a client on this machine can use", async () => {
    const child = spawnMain(["--host", "0.0.0.0"]);
    const url = await listeningUrl(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 30_000);
});
