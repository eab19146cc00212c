/**
 * The property definitions, runtime-agnostic: core's bun:test file and packages/node's
 * `node --test` file call {@link defineHostileProperties} with their API and test runner.
 *
 * Each invariant is a test of its own, so one broken invariant does not hide the others; the
 * invariant tests of one family draw the same runs (same seed), and a run is made once and its
 * outcome checked by each test (shrinking makes new runs).
 */
import fc from "fast-check";
import {
  type AnswerPlan,
  apiAnswer,
  type BombEncoding,
  bombAnswer,
  echoingErrorAnswer,
  lyingLengthAnswer,
  plainDiscoveryAnswer,
  tokenAnswer,
} from "./answers.ts";
import { loadBombs } from "./bombs.ts";
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
  RSS_GROWTH_LIMIT_MB,
  settlesWithoutUnhandledRejection,
  tokenOnlyToAllowedOrigins,
} from "./outcome.ts";
import { type NetScenario, runScenario } from "./run.ts";
import { networkScenario, sharedConfigCall, tokenCall } from "./scenarios.ts";
import { longRun, runParameters, showHoles } from "./settings.ts";

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

/** The bomb family's invariants; its memory is measured out of the loop (see bombRss). */
const BOMB_INVARIANTS: Readonly<Record<string, Invariant>> = {
  "no body above its cap is accepted": bodiesWithinCaps,
  "every call settles, with no unhandled rejection": settlesWithoutUnhandledRejection,
};

/**
 * The process's peak RSS growth over `run` and the half second after it, in MiB: sampled, and
 * from the kernel's high-water mark (an inflate that blocks the event loop hides from a sampler).
 */
async function peakRssGrowthMb(run: () => Promise<unknown>): Promise<number> {
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
  const base = process.memoryUsage().rss;
  const baseMax = process.resourceUsage().maxRSS * 1024;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    await run();
    // A decoder that keeps inflating after the body was refused does so in the background.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sampled = Math.max(peak, process.memoryUsage().rss) - base;
    const highWater = process.resourceUsage().maxRSS * 1024 - baseMax;
    return Math.max(sampled, highWater) / 1024 / 1024;
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Out of the property loop (RSS is coarse, and a background inflate would blame the next run):
 * one bomb per encoding from the token endpoint and from the API, one after another.
 */
function probe(where: "token" | "api", encoding: BombEncoding | undefined): NetScenario {
  const bomb: AnswerPlan = {
    status: 200,
    headers: [["Content-Type", "application/json"]],
    body: encoding ? `__BOMB_${encoding}__` : '{"ok":true}',
    json: false,
    pad: 0,
    encoding: "identity",
    framing: "chunked",
    echo: "raw",
    stall: false,
  };
  return {
    grant: "session",
    key: "ck_rss_probe_0123456789",
    clientId: "svc",
    discover: false,
    discovery: [],
    token: where === "token" && encoding ? [bomb] : [],
    api: where === "api" ? [bomb] : [],
    allowed: [],
    foreign: [],
    calls: [
      where === "token"
        ? { kind: "token" }
        : { kind: "request", target: "path", method: "GET", cap: 1_048_576, manual: false },
    ],
  };
}

function defineBombRss(host: PropertyHost): void {
  const title = "compression bombs: peak RSS stays bounded while each encoding's bomb is refused";
  const body = async () => {
    const encodings = await loadBombs();
    // A first run of each path loads what it loads, so the measured runs see only the bombs.
    await runScenario(host, probe("token", undefined));
    await runScenario(host, probe("api", undefined));
    const each: string[] = [];
    // Judged on the whole: a decoder that inflates on after a cancel may do so while the next
    // probe runs, so a probe's own figure is only a hint of which encoding it was.
    const total = await peakRssGrowthMb(async () => {
      for (const encoding of encodings) {
        for (const where of ["token", "api"] as const) {
          const growth = await peakRssGrowthMb(() => runScenario(host, probe(where, encoding)));
          each.push(`${encoding} from the ${where}: +${Math.round(growth)} MiB`);
        }
      }
    });
    if (total > RSS_GROWTH_LIMIT_MB) {
      throw new Error(
        `peak RSS grew by ${Math.round(total)} MiB (limit ${RSS_GROWTH_LIMIT_MB} MiB) over 512 MiB bombs: ${each.join("; ")}`,
      );
    }
  };
  const hole = KNOWN_HOLES.find((h) => h.runtime.includes(host.runtime) && h.test === title);
  if (hole && !showHoles) host.knownHole(`${title} [known hole: ${hole.hole}]`, body, 120_000);
  else host.test(title, body, 120_000);
}

interface Family<S> {
  readonly title: string;
  readonly runs: number;
  readonly arbitrary: () => Promise<fc.Arbitrary<S>>;
  readonly run: (scenario: S) => Promise<Outcome>;
  /** The invariants checked (default: {@link INVARIANTS}). */
  readonly invariants?: Readonly<Record<string, Invariant>>;
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
  for (const [name, invariant] of Object.entries(family.invariants ?? INVARIANTS)) {
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
    if (hole && !showHoles) host.knownHole(`${title} [known hole: ${hole.hole}]`, body, timeoutMs);
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
    runs: runs(12),
    arbitrary: async () =>
      fc.record({
        net: networkScenario(["session"], ""),
        disk: diskState.map((d) => ({ ...d, redis: "none" as const })),
      }),
    run: ({ net, disk }) =>
      runScenario(host, net, (config) => prepareDisk(host.api, disk, config, undefined)),
  });

  defineFamily<NetScenario>(host, {
    title: "OAuth error answers that echo the secret",
    runs: runs(30),
    arbitrary: async () =>
      networkScenario(
        ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        await pemOnce(),
        {
          token: echoingErrorAnswer,
          calls: tokenCall,
        },
      ),
    run: (s) => runScenario(host, s),
  });

  defineFamily<NetScenario>(host, {
    title: "two configs sharing a token, with different policies",
    runs: runs(12),
    arbitrary: async () =>
      networkScenario(["session"], "", { shared: true, calls: sharedConfigCall }),
    run: (s) => runScenario(host, s),
  });

  defineFamily<NetScenario>(host, {
    title: "discovered token endpoints of every scheme, host and form",
    runs: runs(30),
    arbitrary: async () =>
      networkScenario(
        ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        await pemOnce(),
        {
          discovery: plainDiscoveryAnswer,
          calls: tokenCall,
        },
      ),
    run: (s) => runScenario(host, s),
  });

  defineFamily<NetScenario>(host, {
    title: "answers whose Content-Length contradicts their chunked body",
    runs: runs(20),
    arbitrary: async () =>
      networkScenario(["session"], "", {
        token: lyingLengthAnswer(tokenAnswer("session")),
        api: lyingLengthAnswer(apiAnswer),
      }),
    run: (s) => runScenario(host, s),
  });

  let bombs: BombEncoding[] = [];
  defineFamily<NetScenario>(host, {
    title: "compression bombs from the token endpoint and the API",
    runs: runs(3),
    invariants: BOMB_INVARIANTS,
    arbitrary: async () => {
      bombs = await loadBombs();
      return networkScenario(["session", "client_secret_post"], "", {
        token: fc.oneof(bombAnswer(bombs), tokenAnswer("session")),
        api: bombAnswer(bombs),
      });
    },
    run: (s) => runScenario(host, s),
  });
  defineBombRss(host);

  const startRedis = host.redis;
  if (startRedis) {
    let redis: Promise<RedisHandle> | undefined;
    defineFamily<{ net: NetScenario; disk: DiskState }>(host, {
      title: "hostile Redis entries",
      runs: runs(8),
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
