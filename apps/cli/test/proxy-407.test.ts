/**
 * A proxy that refuses with 407 and echoes the credentials it was given: `request` prints the
 * body it got, and the proxy's user name and password (from HTTP_PROXY) are secrets of that
 * output like the key and the token. Bun's fetch goes through HTTP_PROXY; a real proxy on
 * 127.0.0.1 stands in front of an API on `localhost`, the gateway itself reached directly.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();
const USER = "proxyuser";
const PASSWORD = "pa55w0rdXYZ-4711";

let proxy: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const given = request.headers.get("proxy-authorization") ?? "";
      const decoded = atob(given.replace(/^Basic /, ""));
      return new Response(`proxy says no: ${given} (${decoded})`, { status: 407 });
    },
  });
});
afterAll(() => {
  proxy.stop(true);
});

test(
  "a 407 body echoing the proxy's credentials is printed without them",
  async () => {
    const api = `http://localhost:${new URL(fx.gateway.url).port}`;
    const run = await fx.run(["request", "GET", `${api}/echo`], {
      env: {
        HTTP_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${proxy.port}`,
        NO_PROXY: "127.0.0.1",
        AUTH_ALLOWED_ORIGINS: api,
      },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain("proxy says no");
    const out = run.stdout + run.stderr;
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(btoa(`${USER}:${PASSWORD}`));
  },
  TIMEOUT_MS,
);
