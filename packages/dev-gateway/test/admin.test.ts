import { afterEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectDevGateway, type SpawnedDevGateway, spawnDevGateway } from "../src/index.ts";
import { echoWith, gatewayForTest, requestSession, sessionToken } from "./helpers.ts";

const spawned: SpawnedDevGateway[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((gateway) => gateway.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function spawnForTest(...args: Parameters<typeof spawnDevGateway>) {
  const gateway = await spawnDevGateway(...args);
  spawned.push(gateway);
  return gateway;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the admin API", () => {
  test("is off by default: /__admin/ paths are ordinary 404s, counted in the stats", async () => {
    const gateway = gatewayForTest();
    const response = await fetch(`${gateway.url}/__admin/stats`);
    expect(response.status).toBe(404);
    expect(gateway.stats().requests).toEqual({ "/__admin/stats": 1 });
  });

  test("reads and resets the stats, and its own requests are not counted", async () => {
    const gateway = gatewayForTest({ admin: true });
    const admin = connectDevGateway(gateway.url);
    await requestSession(gateway);
    expect(await admin.stats()).toEqual({
      tokensIssued: 1,
      requests: { "/auth/session": 1 },
      authFailures: 0,
      faultsInjected: 0,
    });
    await admin.resetStats();
    expect(await admin.stats()).toEqual(gateway.stats());
    expect(gateway.stats()).toEqual({
      tokensIssued: 0,
      requests: {},
      authFailures: 0,
      faultsInjected: 0,
    });
  });

  test("sets and clears faults, and no fault applies to the admin routes", async () => {
    const gateway = gatewayForTest({ admin: true });
    const admin = connectDevGateway(gateway.url);
    // Every gateway path is dropped; the admin routes still answer and are not counted.
    await admin.setFaults([{ kind: "drop" }]);
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
    const stats = await admin.stats();
    expect(Object.keys(stats.requests)).toEqual(["/health"]);
    expect(stats.faultsInjected).toBeGreaterThanOrEqual(1);
    await admin.setFaults([{ kind: "status", status: 503, route: "/health", count: 1 }]);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(503);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    await admin.setFaults([{ kind: "status", status: 500 }]);
    await admin.setFaults([]);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  test("a bad fault list is a TypeError naming the fault, and changes nothing", async () => {
    const gateway = gatewayForTest({ admin: true });
    const admin = connectDevGateway(gateway.url);
    await admin.setFaults([{ kind: "status", status: 503, route: "/health" }]);
    const error = await admin
      .setFaults([
        { kind: "latency", ms: 1 },
        { kind: "status", status: 200 },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("faults[1].status must be an integer from 400 to 599");
    expect((await fetch(`${gateway.url}/health`)).status).toBe(503);

    const notJson = await fetch(`${gateway.url}/__admin/faults`, { method: "POST", body: "[{" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      error: "invalid_request",
      message: "body must be JSON",
    });
  });

  test("revokes every token issued so far", async () => {
    const gateway = gatewayForTest({ admin: true });
    const admin = connectDevGateway(gateway.url);
    const token = await sessionToken(gateway);
    await admin.revokeAll();
    expect((await echoWith(gateway, token)).status).toBe(403);
    expect((await echoWith(gateway, await sessionToken(gateway))).status).toBe(200);
  });

  test("mints a token with the given lifetime, counted nowhere", async () => {
    const gateway = gatewayForTest({ admin: true, ttlSec: 900 });
    const admin = connectDevGateway(gateway.url);
    const token = await admin.issueToken({ ttlSec: 30 });
    expect((await echoWith(gateway, token)).status).toBe(200);
    expect(gateway.stats().tokensIssued).toBe(0);
    await expect(admin.issueToken({ ttlSec: 0 })).rejects.toThrow(TypeError);
  });

  test("answers 405 to a wrong method and 404 to an unknown admin route", async () => {
    const gateway = gatewayForTest({ admin: true });
    const wrong = await fetch(`${gateway.url}/__admin/stats`, { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect((await fetch(`${gateway.url}/__admin/nope`)).status).toBe(404);
    expect(gateway.stats().requests).toEqual({});
  });

  test("stop() resolves once the gateway refuses connections, and again after that", async () => {
    const gateway = gatewayForTest({ admin: true });
    const admin = connectDevGateway(`${gateway.url}/`);
    expect(admin.url).toBe(gateway.url);
    await admin.stop();
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
    await admin.stop();
  });

  test("a client of a gateway without the admin API says how to turn it on", async () => {
    const gateway = gatewayForTest();
    await expect(connectDevGateway(gateway.url).stats()).rejects.toThrow(/HTTP 404.*--admin/);
  });

  test("refuses a session path under /__admin/ when the admin API is on", () => {
    expect(() => gatewayForTest({ admin: true, sessionPath: "/__admin/session" })).toThrow(
      TypeError,
    );
  });
});

describe("spawnDevGateway", () => {
  test("runs the bin with the options in a child process, controlled over HTTP", async () => {
    const gateway = await spawnForTest({ clientKeys: ["ck-spawn-CANARY-1"], ttlSec: 42 });
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(isAlive(gateway.pid)).toBe(true);
    const session = await fetch(`${gateway.url}/auth/session`, {
      method: "POST",
      body: JSON.stringify({ clientKey: "ck-spawn-CANARY-1" }),
    });
    expect(await session.json()).toMatchObject({ expiresIn: 42 });
    await gateway.setFaults([{ kind: "status", status: 429, route: "/health", count: 1 }]);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(429);
    expect(await gateway.stats()).toMatchObject({ tokensIssued: 1, faultsInjected: 1 });
  }, 30_000);

  test("stop() ends the child process and can be called twice", async () => {
    const gateway = await spawnForTest();
    await gateway.stop();
    expect(isAlive(gateway.pid)).toBe(false);
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
    await gateway.stop();
  }, 30_000);

  test("rejects with the bin's message when an option is bad, without the key", async () => {
    const error = await spawnDevGateway({ ttlSec: 0, clientKeys: ["ck-spawn-CANARY-2"] }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited before listening.*--ttl/s);
    expect((error as Error).message).not.toContain("ck-spawn-CANARY-2");
  }, 30_000);

  test("the bin started with --admin exits 0 when stopped over HTTP", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const child = Bun.spawn([process.execPath, main, "--admin"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    const url = /on (\S+)/.exec(new TextDecoder().decode(value))?.[1] ?? "";
    await connectDevGateway(url).stop();
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("works from a Node process, bundled with the bin's path passed in", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openclaw-dev-gateway-node-"));
    dirs.push(dir);
    const script = join(dir, "probe.ts");
    await Bun.write(
      script,
      `import { spawnDevGateway } from ${JSON.stringify(fileURLToPath(new URL("../src/remote.ts", import.meta.url)))};
const gateway = await spawnDevGateway({ ttlSec: 5 }, { main: process.argv[2] });
try {
  await gateway.setFaults([{ kind: "token-expired-body", route: "/health", count: 1 }]);
  const body = await (await fetch(gateway.url + "/health")).json();
  const stats = await gateway.stats();
  console.log(JSON.stringify({ body, stats }));
} finally {
  await gateway.stop();
}
`,
    );
    const built = await Bun.build({ entrypoints: [script], target: "node", outdir: dir });
    expect(built.success).toBe(true);
    const output = built.outputs[0]?.path ?? "";
    expect(await Bun.file(output).text()).not.toMatch(/\bBun\./);
    const node = Bun.spawn(
      ["node", output, fileURLToPath(new URL("../src/main.ts", import.meta.url))],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, stderr, code] = await Promise.all([
      new Response(node.stdout).text(),
      new Response(node.stderr).text(),
      node.exited,
    ]);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      body: { code: 401, msg: "token expired" },
      stats: { tokensIssued: 0, requests: { "/health": 1 }, authFailures: 0, faultsInjected: 1 },
    });
  }, 60_000);
});
