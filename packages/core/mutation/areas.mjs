/**
 * The trust surface, cut into areas that mutation testing runs one at a time: each area names
 * the source files it mutates and the `bun test` processes that can see their mistakes. A change
 * to one area's files is checked by that area alone (`bun run mutate <area>`), and each area
 * keeps its last results in `mutation/<area>.incremental.json`, so a rerun tests only the mutants
 * whose code or tests changed (docs/testing.md).
 *
 * Each command runs in the package dir under `--bail`: most mutants die in the first seconds.
 * Tests that run the runtime in child processes are left out where they cannot see a mutant:
 * children start from a clean environment, and Stryker picks the active mutant by an
 * environment variable, so they run the unmutated code and only cost time.
 */

/** `bun test --bail <files>` (one process: bun runs its files in path order). */
const bunTest = (...files) => `bun test --bail ${files.join(" ")}`;

/**
 * The conformance suite in one process, without its tests of child processes and the slow
 * tests of other areas (`skip`: regex alternatives of test-name parts).
 */
const conformance = (...skip) =>
  `bun test --bail test/conformance.test.ts -t '^(?!.*(process${skip.map((s) => `|${s}`).join("")}))'`;

const SLOW_ELSEWHERE = [
  "hung API request",
  "gzip bomb from the API",
  "Retry-After on 429",
  "a token request failing says why",
  "token lock is stale after 2 s",
];

const TOKEN_UNITS = bunTest(
  "test/request/auth-failure.test.ts",
  "test/grants/schemas.test.ts",
  "test/grants/oauth-token-response.test.ts",
  "test/token/aborted-calls.test.ts",
  "test/token/abandoned-requests.test.ts",
  "test/token/failing-store.test.ts",
  "test/token/refresh-and-clear.test.ts",
  "test/token/failed-refresh.test.ts",
  "test/token/store-writes.test.ts",
  "test/token/manager-options.test.ts",
  "test/token/lock-wait-notifications.test.ts",
  "test/token/lock-wait-steps.test.ts",
  "test/observe/debug-lines.test.ts",
  "test/token/stale-token-expiry.test.ts",
);

const FILES_UNITS = bunTest(
  "test/stores/file-lock-staleness.test.ts",
  "test/stores/file-lock-races.test.ts",
  "test/stores/file-token-store.test.ts",
  "test/stores/cache-dir-upkeep.test.ts",
  "test/stores/cache-dir-not-writable.test.ts",
  "test/bun/bun-platform.test.ts",
  "test/stores/store-watch.test.ts",
  "test/cross-process/lock-release.test.ts",
  "test/config/env-file-links.test.ts",
  "test/config/shared-env-file.test.ts",
  "test/cross-process/bad-input.test.ts",
  "test/grants/discovery-trust.test.ts",
  // In-process tests of what the conformance suite's hostile files and the cross-process
  // tests check in children (which run the unmutated code).
  "test/stores/cache-dir-looks.test.ts",
  "test/stores/cache-dir-changes.test.ts",
  "test/stores/write-lock-wait.test.ts",
  "test/posix/private-file-reads.test.ts",
  "test/posix/path-looks.test.ts",
  "test/posix/file-writes.test.ts",
  "test/posix/directory-watch.test.ts",
  "test/posix/process-liveness.test.ts",
  "test/config/env-file-rule.test.ts",
  "test/config/plain-env-lines.test.ts",
  "test/config/config.test.ts",
);

const GRANTS_UNITS = bunTest(
  "test/grants/wire.test.ts",
  "test/grants/client-credentials.test.ts",
  "test/grants/discovery-trust.test.ts",
  "test/grants/discovery-sharing.test.ts",
  "test/grants/discovery-cache.test.ts",
  "test/grants/error-fields.test.ts",
  "test/grants/pem-redaction.test.ts",
  "test/grants/oauth-token-response.test.ts",
  "test/http/retry.test.ts",
  "test/grants/session-request.test.ts",
  "test/grants/token-request-retries.test.ts",
  "test/grants/token-request-naming.test.ts",
  "test/grants/client-credentials-answers.test.ts",
  "test/grants/client-assertion-claims.test.ts",
  "test/grants/discovery-documents.test.ts",
  "test/grants/discovery-stored.test.ts",
  "test/grants/discovery-joining.test.ts",
);

const REDACTION_UNITS = bunTest(
  "test/errors/redact.test.ts",
  "test/errors/redacted-cause.test.ts",
  "test/errors/redacted-cause-walk.test.ts",
  "test/errors/redact-letter-case.test.ts",
  "test/errors/redact-unicode-escapes.test.ts",
  "test/errors/known-secrets.test.ts",
  "test/grants/pem-redaction.test.ts",
  "test/grants/error-fields.test.ts",
);

/** The fleet store's rules and protocol, in-process and against redis-servers of their own. */
const REDIS_UNITS = bunTest(
  "test/redis/redis-entry-bounds.test.ts",
  "test/redis/tiered-store-fallbacks.test.ts",
  "test/redis/redis-watch-subscription.test.ts",
  "test/redis/bun-redis-client.test.ts",
  "test/redis/redis-write-races.test.ts",
  "test/stores/store-watch-waits.test.ts",
  "test/redis/finished-calls-exit.test.ts",
);

const BODIES_UNITS = bunTest(
  "test/http/bounded-body.test.ts",
  "test/http/bounded-fetch.test.ts",
  "test/http/abortable-sleep.test.ts",
  "test/http/counted-body-reads.test.ts",
  "test/http/aborted-body-reads.test.ts",
  "test/http/abort-wait-cleanup.test.ts",
  "test/http/bounded-fetch-redirects.test.ts",
  "test/http/deflate-bodies.test.ts",
  "test/http/platform-fetch-codings.test.ts",
);

const REQUEST_UNITS = bunTest(
  "test/http/origin-policy.test.ts",
  "test/request/api-request-options.test.ts",
  "test/request/api-retry-options.test.ts",
  "test/http/attempt-timeout.test.ts",
  // Not proxy-credentials.test.ts nor proxy-errors.test.ts: they run the runtime in children
  // started with a clean environment (HTTP_PROXY is read at start), which never see the mutant;
  // proxy-rules.test.ts checks the same rules in process.
  "test/http/proxy-rules.test.ts",
  "test/http/proxy-failures.test.ts",
  "test/request/redirect-hops.test.ts",
  "test/request/retry-decisions.test.ts",
  "test/request/auth-fetch-request.test.ts",
  "test/request/auth-failure-resend.test.ts",
  "test/request/sent-headers-and-bodies.test.ts",
  "test/request/text-body-response.test.ts",
  "test/request/auth-fetch-as-answer.test.ts",
);

/**
 * The conformance suite in one process, only the suites whose names match `only` (a regex
 * alternative of describe names), without its tests of child processes and the slow tests of
 * other areas.
 */
const conformanceOf = (only) =>
  `bun test --bail test/conformance.test.ts -t '^(?=.*(${only}))(?!.*(process|${SLOW_ELSEWHERE.join("|")}))'`;

/**
 * `dir`: where the area's files and tests live, relative to this package (default: here).
 * `quick`: the area's unit tests, a part of `command` that runs in a second or two; a mutant
 * they leave alive is tested again with the whole `command` (scripts/mutate.ts).
 * @type {Record<string, { dir?: string, mutate: string[], quick?: string, command: string }>}
 */
export const AREAS = {
  // The token's life: single flight, the lock wait, stale fallback, events; what a token
  // response and a cache file may hold; what counts as an auth failure.
  token: {
    mutate: [
      "src/token/token-manager.ts",
      "src/token/single-flight.ts",
      "src/token/token-memory.ts",
      "src/token/store-reads.ts",
      "src/token/lock-wait.ts",
      "src/token/token-fetch.ts",
      "src/token/token-events.ts",
      "src/grants/token-response.ts",
      "src/request/auth-failure.ts",
    ],
    quick: TOKEN_UNITS,
    command: [
      TOKEN_UNITS,
      // Alone: once a tracer provider is registered, every later test in its process has spans.
      bunTest("test/observe/otel.test.ts"),
      conformance(...SLOW_ELSEWHERE),
    ].join(" && "),
  },
  // Files on disk: the cache file, its lock, the platform's careful reads and writes.
  files: {
    mutate: [
      "src/stores/file-token-store.ts",
      "src/stores/file-lock.ts",
      "src/posix/posix-files.ts",
      "src/config/env-file.ts",
    ],
    quick: FILES_UNITS,
    command: [FILES_UNITS, conformance(...SLOW_ELSEWHERE)].join(" && "),
  },
  // The fleet's store: Redis entries under the cache-file rules, its lock and notifications.
  redis: {
    mutate: [
      "src/stores/redis-token-store.ts",
      "src/stores/redis-entry.ts",
      "src/stores/redis-guard.ts",
      "src/stores/store-watch.ts",
      "src/stores/tiered-token-store.ts",
      "src/bun/bun-redis.ts",
    ],
    quick: REDIS_UNITS,
    command: [
      REDIS_UNITS,
      bunTest(
        "test/redis/redis-token-store.test.ts",
        "test/redis/hostile-co-tenant.test.ts",
        "test/redis/notify-fallback.test.ts",
        "test/redis/tiered-token-store.test.ts",
        "test/stores/store-watch.test.ts",
      ),
    ].join(" && "),
  },
  // The grants: the session and client_credentials requests, client assertions, discovery.
  grants: {
    // token-response.ts is the token area's (what a token response may hold).
    mutate: ["src/grants/*.ts", "!src/grants/token-response.ts"],
    quick: GRANTS_UNITS,
    command: [GRANTS_UNITS, conformance("hung API request", "gzip bomb from the API")].join(" && "),
  },
  // What an error may carry out of the process: redaction of secrets in messages and causes.
  redaction: {
    mutate: [
      "src/errors/redact.ts",
      "src/errors/redact-pem.ts",
      "src/errors/redact-walk.ts",
      "src/errors/errors.ts",
    ],
    quick: REDACTION_UNITS,
    command: [
      REDACTION_UNITS,
      conformanceOf("errors and secrets|secret sweep|redaction red team|process-wide outputs"),
    ].join(" && "),
  },
  // Bounded reads: what a hostile answer's size, encoding or stall can do.
  bodies: {
    mutate: [
      "src/http/abort.ts",
      "src/http/bounded-body.ts",
      "src/http/bounded-fetch.ts",
      "src/http/body-decoding.ts",
    ],
    quick: BODIES_UNITS,
    command: [BODIES_UNITS, conformanceOf("bounded reads|hostile api|hostile token endpoint")].join(
      " && ",
    ),
  },
  // The request and redirect path: where a request may go, with what, and how it is retried.
  // Its unit tests reach it through the runtime's API against real servers; what they leave
  // alive meets the conformance suites of the request path too.
  request: {
    mutate: [
      "src/http/origin-policy.ts",
      "src/http/proxy.ts",
      "src/request/send-request.ts",
      "src/request/request-api.ts",
      "src/request/auth-fetch.ts",
      "src/request/api-retry.ts",
      "src/http/describe-request.ts",
      "src/request/api-retry-policy.ts",
    ],
    quick: REQUEST_UNITS,
    command: [
      REQUEST_UNITS,
      // The request's span (request-api.ts): alone, as in the token area.
      bunTest("test/observe/otel.test.ts"),
      conformanceOf(
        "hostile api|origin policy|authFetch|auto refresh|request bodies|FormData|API retries|dry run|config policy",
      ),
    ].join(" && "),
  },
  // The CLI's output: redaction of everything it prints, terminal escaping, the exit codes. Its
  // tests run the CLI in child processes, which pass the active mutant on (test/helpers.ts).
  cli: {
    dir: "../../apps/cli",
    mutate: ["src/output.ts", "src/display.ts"],
    command: bunTest(
      "test/secrets.test.ts",
      "test/json-redaction.test.ts",
      "test/terminal-text.test.ts",
      "test/json-errors.test.ts",
      "test/exit-codes.test.ts",
      "test/usage.test.ts",
      "test/doctor-exit-order.test.ts",
      "test/doctor-urls.test.ts",
      "test/output-messages.test.ts",
    ),
  },
};
