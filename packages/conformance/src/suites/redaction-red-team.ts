/**
 * What a red team found in the redaction: a caller's fetch whose error hides a secret where a
 * shallow look does not see it (an AggregateError's `errors`, a nested `request.headers`, deep in
 * the cause chain, past any budget), and a secret echoed in another letter case (a redirect's
 * host, which URL parsing lowercases; a gateway that upper-cases what it got).
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  caught,
  errorTexts,
  it,
  withFixture,
  withScriptedServer,
  withTempDir,
} from "../support.ts";
import type { Harness } from "../types.ts";

/** Long enough to be redacted, with letters of both cases (so case folding changes it). */
const TOKEN = "tok-AAAABBBBCCCCDDDD-eeee";
const KEY = "CkMixedCaseSecretKey9876";

type FetchInit = Parameters<typeof fetch>[1];

/**
 * Every string reachable from `value`, without any bound (a test can afford it): own properties
 * enumerable or not, symbol keys, arrays, Map, Set and Headers entries.
 */
function reachableTexts(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  const visit = (child: unknown) => out.push(...reachableTexts(child, seen));
  if (value instanceof Map || value instanceof Headers) {
    for (const entry of value.entries()) visit([...entry]);
  }
  if (value instanceof Set) for (const v of value) visit(v);
  for (const key of Reflect.ownKeys(value)) {
    try {
      visit((value as Record<PropertyKey, unknown>)[key]);
    } catch {
      // A throwing getter shows nothing.
    }
  }
  return out;
}

/** Whether any text of `error` (as printed, or anything reachable) holds `secret` in any case. */
function leaks(error: unknown, secret: string): string | undefined {
  const texts = [
    ...errorTexts(error),
    inspect(error, { depth: 20, showHidden: true }),
    ...reachableTexts(error),
  ];
  return texts.find((text) => text.toLowerCase().includes(secret.toLowerCase()));
}

/** Fetch errors that carry what was sent (`secret`) where a look at the top fields misses it. */
function hidingErrors(secret: string): Record<string, () => Error> {
  const deep = () => {
    let error = new Error(`socket closed after sending ${secret}`);
    for (let i = 0; i < 6; i++) error = new Error(`layer ${i}`, { cause: error });
    return error;
  };
  const wide = () => {
    // More entries than any walk may look at: a clean one cannot be proven, so it is not kept.
    const log = Array.from({ length: 20_000 }, (_, i) => ({ attempt: i }));
    log.push({ attempt: -1, sent: secret } as never);
    return Object.assign(new Error("Request failed"), { code: "E_WIDE", log });
  };
  const nested = () => {
    let request: Record<string, unknown> = { sent: secret };
    for (let i = 0; i < 200; i++) request = { inner: request };
    return Object.assign(new Error("Request failed"), { request });
  };
  return {
    "an AggregateError's errors": () =>
      new AggregateError([new Error("ok"), new Error(`sent ${secret}`)], "all attempts failed"),
    "a nested object field (ky/axios request.headers)": () =>
      Object.assign(new Error("Request failed"), {
        code: "ERR_BAD_REQUEST",
        request: { headers: { authorization: `Bearer ${secret}` }, body: secret },
      }),
    "a Headers object in a field": () =>
      Object.assign(new Error("Request failed"), {
        config: { headers: new Headers({ authorization: `Bearer ${secret}` }) },
      }),
    "a non-enumerable field": () =>
      Object.defineProperty(new Error("Request failed"), "config", {
        value: { data: secret },
        enumerable: false,
      }),
    "a cause chain 7 errors deep": deep,
    "an array longer than any walk": wide,
    "an object nested deeper than any walk": nested,
  };
}

/** A fetch that throws `make()`, after `onCall` saw what it was asked to send. */
const throwing =
  (make: (init: FetchInit) => Error) =>
  async (_input: unknown, init?: FetchInit): Promise<Response> => {
    throw make(init);
  };

export function redactionRedTeamSuite(h: Harness): void {
  const { api } = h;
  /** One token request with `key` against `authBase` (no store, no retry): what it fails with. */
  const tokenRequestError = (authBase: string, key: string, dir: string) => {
    const config = api.createEnvConfig(
      { AUTH_BASE: authBase, CLIENT_KEY: key, AUTH_CACHE_DIR: dir },
      { envFile: false },
    );
    const tokenManager = api.createTokenManager({ config, store: null, retry: { limit: 0 } });
    return caught(api.getAccessToken({ tokenManager }));
  };

  h.t.describe("redaction red team", () => {
    it(h, "an API request's fetch error keeps no token anywhere in its cause", async () => {
      for (const [where, make] of Object.entries(hidingErrors(TOKEN))) {
        const error = await caught(
          api.requestApi({
            url: "https://gw.example/x",
            authToken: TOKEN,
            retry: 0,
            fetch: throwing(make),
          }),
        );
        assert.ok(error instanceof api.ApiError, `${where}: ${error}`);
        assert.equal(leaks(error, TOKEN), undefined, `${where}: the token leaks`);
        const cause = error.cause as Error & { code?: unknown };
        assert.ok(cause instanceof Error, `${where}: the cause is kept, redacted`);
        const original = make();
        assert.equal(cause.name, original.name, where);
        assert.equal(cause.message, original.message.replace(TOKEN, "[redacted]"), where);
        assert.equal(cause.code, (original as { code?: unknown }).code, where);
      }
    });

    it(h, "a fetch error echoing the Authorization header it got keeps no token", async () => {
      // ky style: the request's headers, as sent, on the error.
      const ky = throwing((init) =>
        Object.assign(new Error("Request failed with status code 500"), {
          request: { headers: Object.fromEntries(new Headers(init?.headers)) },
        }),
      );
      const error = await caught(
        api.requestApi({ url: "https://gw.example/x", authToken: TOKEN, retry: 0, fetch: ky }),
      );
      assert.equal(leaks(error, TOKEN), undefined);
      // A fetch error that holds nothing secret stays the very error the fetch threw.
      const clean = new TypeError("fetch failed");
      const plain = await caught(
        api.requestApi({
          url: "https://gw.example/x",
          authToken: TOKEN,
          retry: 0,
          fetch: throwing(() => clean),
        }),
      );
      assert.equal(plain.cause, clean);
    });

    it(h, "createAuthFetch: a fetch error on the API request keeps no token", async () => {
      await withFixture(h, {}, async (f) => {
        let sent: string | undefined;
        const authFetch = api.createAuthFetch({
          config: f.config,
          tokenManager: f.manager({ retry: { limit: 0 } }),
          retry: 0,
          fetch: async (input, init) => {
            const url = String(input instanceof Request ? input.url : input);
            if (url.includes("/auth/")) return fetch(input, init);
            sent = new Headers(init?.headers).get("authorization") ?? undefined;
            throw new AggregateError(
              [Object.assign(new Error("Request failed"), { request: { init } })],
              "all attempts failed",
            );
          },
        });
        const error = await caught(authFetch(`${f.gateway.url}/api/x`));
        const token = sent?.replace(/^Bearer /, "") ?? "";
        assert.ok(token.length > 20 && token !== sent, "the API request was sent with a token");
        assert.equal(leaks(error, token), undefined);
      });
    });

    it(h, "a token request's fetch error keeps no client key anywhere in its cause", async () => {
      await withTempDir(async (dir) => {
        const config = api.createEnvConfig(
          { AUTH_BASE: "http://127.0.0.1:9", CLIENT_KEY: KEY, AUTH_CACHE_DIR: dir },
          { envFile: false },
        );
        for (const [where, make] of Object.entries(hidingErrors(KEY))) {
          const tokenManager = api.createTokenManager({
            config,
            store: null,
            retry: { limit: 0 },
            fetch: throwing(make),
          });
          const error = await caught(api.getAccessToken({ tokenManager }));
          assert.ok(error instanceof api.AuthNetworkError, `${where}: ${error}`);
          assert.equal(leaks(error, KEY), undefined, `${where}: the key leaks`);
          assert.ok(error.cause instanceof Error, `${where}: the cause is kept, redacted`);
        }
        // The body as sent, on the error (the key is in it).
        const tokenManager = api.createTokenManager({
          config,
          store: null,
          retry: { limit: 0 },
          fetch: throwing((init) =>
            Object.assign(new Error("Request failed"), { options: { body: init?.body } }),
          ),
        });
        const error = await caught(api.getAccessToken({ tokenManager }));
        assert.equal(leaks(error, KEY), undefined);
      });
    });

    it(
      h,
      "a redirect of the token request to a host named after the key does not print it",
      async () => {
        await withScriptedServer(
          () => ({ status: 307, headers: { location: `https://${KEY}.evil.example/steal` } }),
          async (server) => {
            await withTempDir(async (dir) => {
              const error = await tokenRequestError(server.url, KEY, dir);
              assert.ok(error instanceof api.AuthSessionError, String(error));
              assert.match(error.message, /redirected to https:\/\/\[redacted\]\.evil\.example/);
              assert.equal(leaks(error, KEY), undefined);
            });
          },
        );
      },
    );

    it(
      h,
      "a gateway echoing the key upper- or lowercased, raw or percent-encoded, does not get it printed",
      async () => {
        const key = "Ck/Mixed+Case=Key-7788";
        const echoes = [
          key.toUpperCase(),
          key.toLowerCase(),
          encodeURIComponent(key).toLowerCase(),
          encodeURIComponent(key).toUpperCase(),
        ];
        for (const echo of echoes) {
          await withScriptedServer(
            () => ({ status: 401, body: `{"error":"unknown client ${echo}"}` }),
            async (server) => {
              await withTempDir(async (dir) => {
                const error = await tokenRequestError(server.url, key, dir);
                assert.ok(error instanceof api.AuthSessionError, String(error));
                assert.ok(error.message.includes("unknown client [redacted]"), error.message);
                for (const text of errorTexts(error)) {
                  assert.ok(!text.includes(echo), `${echo}: ${text}`);
                }
              });
            },
          );
        }
      },
    );
  });
}
