/**
 * The property definitions, runtime-agnostic: core's bun:test file and packages/node's
 * `node --test` file call {@link defineHostileProperties} with their API and test runner.
 *
 * Each invariant is a test of its own, so one broken invariant does not hide the others; the
 * invariant tests of one family draw the same runs (same seed), and a run is made once and its
 * outcome checked by each test (shrinking makes new runs).
 */
import fc from "fast-check";
import { type DiskState, diskState, prepareDisk } from "./disk.ts";
import { type PropertyHost, type RedisHandle, sessionCacheKey } from "./host.ts";
import { KNOWN_HOLES } from "./known-holes.ts";
import {
  bodiesWithinCaps,
  type Invariant,
  keyOnlyToTokenEndpoint,
  noSecretInErrors,
  nothingMalformedCached,
  type Outcome,
  settlesWithoutUnhandledRejection,
  tokenOnlyToAllowedOrigins,
} from "./outcome.ts";
import { type NetScenario, runScenario } from "./run.ts";
import { networkScenario } from "./scenarios.ts";
import { longRun, runParameters } from "./settings.ts";

export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  "the key goes only to the token endpoint": keyOnlyToTokenEndpoint,
  "the token goes only to allowed origins": tokenOnlyToAllowedOrigins,
  "no body above its cap is accepted": bodiesWithinCaps,
  "nothing malformed is cached or served": nothingMalformedCached,
  "no error or event holds a secret in any form": noSecretInErrors,
  "every call settles, with no unhandled rejection": settlesWithoutUnhandledRejection,
};

/** A PKCS#8 PEM key for private_key_jwt (ES256: quick to make). */
async function pemKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

interface Family<S> {
  readonly title: string;
  readonly runs: number;
  readonly arbitrary: () => Promise<fc.Arbitrary<S>>;
  readonly run: (scenario: S) => Promise<Outcome>;
  /** Invariants that do not apply (e.g. no API call is drawn). */
  readonly skip?: readonly string[];
}

function defineFamily<S>(host: PropertyHost, family: Family<S>): void {
  const memo = new Map<string, Promise<Outcome>>();
  let arbitrary: Promise<fc.Arbitrary<S>> | undefined;
  const outcome = (scenario: S) => {
    const id = JSON.stringify(scenario);
    let made = memo.get(id);
    if (!made) {
      made = family.run(scenario);
      memo.set(id, made);
    }
    return made;
  };
  const params = runParameters(family.runs);
  // Each run costs ~50-500 ms; the long run needs room.
  const timeoutMs = longRun ? 3_600_000 : 120_000;
  for (const [name, invariant] of Object.entries(INVARIANTS)) {
    if (family.skip?.includes(name)) continue;
    const title = `${family.title}: ${name}`;
    const body = async () => {
      arbitrary ??= family.arbitrary();
      const property = fc.asyncProperty(await arbitrary, async (scenario) => {
        const violation = invariant(await outcome(scenario));
        if (violation) throw new Error(violation);
      });
      await fc.assert(property, params);
    };
    const hole = KNOWN_HOLES.find((h) => h.runtime.includes(host.runtime) && h.test === title);
    if (hole) host.knownHole(`${title} [known hole: ${hole.hole}]`, body, timeoutMs);
    else host.test(title, body, timeoutMs);
  }
}

/** Defines the property tests on `host`. */
export function defineHostileProperties(host: PropertyHost, scale = 1): void {
  const runs = (n: number) => Math.max(1, Math.round(n * scale));
  let pem: Promise<string> | undefined;
  const pemOnce = () => {
    pem ??= pemKey();
    return pem;
  };

  defineFamily<NetScenario>(host, {
    title: "session grant against hostile answers",
    runs: runs(30),
    arbitrary: async () => networkScenario(["session"], ""),
    run: (s) => runScenario(host, s),
  });

  defineFamily<NetScenario>(host, {
    title: "OAuth client_credentials against hostile answers",
    runs: runs(30),
    arbitrary: async () =>
      networkScenario(
        ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        await pemOnce(),
      ),
    run: (s) => runScenario(host, s),
  });

  defineFamily<{ net: NetScenario; disk: DiskState }>(host, {
    title: "hostile cache and lock files",
    runs: runs(16),
    arbitrary: async () =>
      fc.record({
        net: networkScenario(["session"], ""),
        disk: diskState.map((d) => ({ ...d, redis: "none" as const })),
      }),
    run: ({ net, disk }) =>
      runScenario(host, net, (config) => prepareDisk(host.api, disk, config, undefined)),
  });

  const startRedis = host.redis;
  if (startRedis) {
    let redis: Promise<RedisHandle> | undefined;
    defineFamily<{ net: NetScenario; disk: DiskState }>(host, {
      title: "hostile Redis entries",
      runs: runs(12),
      arbitrary: async () => fc.record({ net: networkScenario(["session"], ""), disk: diskState }),
      run: async ({ net, disk }) => {
        redis ??= startRedis();
        const handle = await redis;
        await handle.send("FLUSHALL", []);
        let redisKey = "";
        const outcome = await runScenario(
          host,
          net,
          (config) => {
            redisKey = `openclaw:auth:token:${sessionCacheKey(config.authBase, config.clientKey)}`;
            return prepareDisk(host.api, disk, config, { handle, key: redisKey });
          },
          { redisUrl: handle.url },
        );
        const value = await handle.send("GET", [redisKey]);
        const text = typeof value === "string" ? value : value == null ? undefined : String(value);
        return { ...outcome, entries: [...outcome.entries, { where: `redis ${redisKey}`, text }] };
      },
    });
  }
}
