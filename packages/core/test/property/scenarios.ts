/** Arbitraries of whole runs: a key, the answers of each server, the calls; and disk states. */
import fc from "fast-check";
import { type AnswerPlan, apiAnswer, discoveryAnswer, tokenAnswer } from "./answers.ts";
import type { Call, NetScenario } from "./run.ts";

const TRICKY = [
  "a",
  "b",
  "9",
  '"',
  "\\",
  ":",
  "+",
  "/",
  "%",
  "&",
  "=",
  " ",
  "é",
  "€",
  "'",
  "<",
  "#",
  "?",
];

/** A client key: a unique marker (so a form of it is never found by chance) and hard characters. */
export const clientKey: fc.Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[0-9a-f]{16}$/),
    fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 10 }),
  )
  .map(([m, s]) => `ck_${m}${s}`.trim());

const clientId = fc.constantFrom("svc", "svc:one", "a+b c", "ü-id");

const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Call>({ kind: "token" }) },
  { weight: 1, arbitrary: fc.constant<Call>({ kind: "refresh" }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom("request" as const, "fetch" as const),
      target: fc.constantFrom(
        "path" as const,
        "api" as const,
        "allowed" as const,
        "foreign" as const,
      ),
      method: fc.constantFrom("GET" as const, "POST" as const),
      cap: fc.constantFrom(64, 4096, 65_536, 1_048_576),
      manual: fc.boolean(),
    }),
  },
);

const answers = (arb: fc.Arbitrary<AnswerPlan>, max: number) => fc.array(arb, { maxLength: max });

/** A run of the session grant or OAuth client_credentials against hostile servers. */
export function networkScenario(
  grants: readonly NetScenario["grant"][],
  pem: string,
  options: {
    token?: fc.Arbitrary<AnswerPlan>;
    api?: fc.Arbitrary<AnswerPlan>;
    /** Always discover, with these documents. */
    discovery?: fc.Arbitrary<AnswerPlan>;
    shared?: boolean;
    calls?: fc.Arbitrary<Call>;
  } = {},
): fc.Arbitrary<NetScenario> {
  const calls = options.calls ?? call;
  return fc.constantFrom(...grants).chain((grant) =>
    (options.discovery ? fc.constant(true) : fc.boolean()).chain((discover) =>
      fc.record({
        grant: fc.constant(grant),
        key: grant === "private_key_jwt" ? fc.constant(pem) : clientKey,
        clientId,
        discover: fc.constant(grant !== "session" && discover),
        // With discovery, a drawn document most of the time (else a well-formed default).
        discovery: fc.array(options.discovery ?? discoveryAnswer, {
          minLength: discover ? 1 : 0,
          maxLength: 2,
        }),
        token: fc.array(options.token ?? tokenAnswer(grant === "session" ? "session" : "oauth"), {
          minLength: 1,
          maxLength: 4,
        }),
        api: answers(options.api ?? apiAnswer, 4),
        allowed: answers(apiAnswer, 2),
        foreign: answers(apiAnswer, 1),
        calls: options.shared
          ? fc.array(
              fc
                .tuple(calls, fc.constantFrom<0 | 1>(0, 1))
                .map(([c, config]) => ({ ...c, config })),
              { minLength: 2, maxLength: 4 },
            )
          : fc.array(calls, { minLength: 1, maxLength: 3 }),
        shared: fc.constant(options.shared === true),
      }),
    ),
  );
}

/** Only token calls: for families about the token endpoint alone. */
export const tokenCall: fc.Arbitrary<Call> = fc.constantFrom<Call>(
  { kind: "token" },
  { kind: "refresh" },
);

/** Calls of the two-config family: mostly API calls to the origin only the first config allows. */
export const sharedConfigCall: fc.Arbitrary<Call> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Call>({ kind: "token" }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("request" as const, "fetch" as const),
      target: fc.constantFrom("allowed" as const, "allowed" as const, "path" as const),
      method: fc.constantFrom("GET" as const, "POST" as const),
      cap: fc.constant(65_536),
      manual: fc.boolean(),
    }),
  },
);
