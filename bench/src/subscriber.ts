/**
 * What an `onEvent` subscriber costs: a warm getAccessToken and a request's own work (a canned
 * answer, no network) by a token manager with a listener, against one without, in interleaved
 * rounds. Without a listener no event is built: that path is the one every other figure measures.
 */
import type * as AuthApi from "@openclaw/auth-runtime";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { interleavedRounds, medianExtraMicros, medianRatio } from "./rounds.ts";

export interface SubscriberOptions {
  readonly rounds: number;
  readonly roundMs: number;
}

export interface SubscriberResult {
  /** Warm getAccessToken calls per second, no listener. */
  readonly warmGetOpsPerSec: number;
  /** The same with an `onEvent` listener on the manager (told token.acquired each call). */
  readonly warmGetWithSubscriberOpsPerSec: number;
  /** Median over rounds of with / without: 1.0 means the listener costs nothing. */
  readonly warmGetWithSubscriberRatio: number;
  /** Median over rounds of the nanoseconds a listener adds to a warm get. */
  readonly warmGetSubscriberExtraNs: number;
  /** requestApiWithAutoRefresh over a canned answer, with / without a listener. */
  readonly requestWithSubscriberRatio: number;
  readonly requestSubscriberExtraUs: number;
}

/** `config` must point at a gateway that issues tokens (one token request is made). */
export async function measureSubscriberCost(
  runtime: typeof AuthApi,
  config: EnvConfig,
  options: SubscriberOptions,
): Promise<SubscriberResult> {
  let told = 0;
  const quiet = runtime.createTokenManager({ config, store: null });
  const listened = runtime.createTokenManager({
    config,
    store: null,
    onEvent: () => {
      told++;
    },
  });
  await runtime.getAccessToken({ tokenManager: quiet });
  await runtime.getAccessToken({ tokenManager: listened });
  const answer = '{"ok":true}';
  const cannedFetch = async () =>
    new Response(answer, { status: 200, headers: { "content-length": String(answer.length) } });
  const request = (tokenManager: AuthApi.TokenManager) => async () =>
    (await runtime.requestApiWithAutoRefresh({ tokenManager, url: "/echo", fetch: cannedFetch }))
      .body;

  const warm = await interleavedRounds(
    {
      warmGet: () => runtime.getAccessToken({ tokenManager: quiet }),
      warmGetSubscribed: () => runtime.getAccessToken({ tokenManager: listened }),
    },
    options,
  );
  const requests = await interleavedRounds(
    { request: request(quiet), requestSubscribed: request(listened) },
    options,
  );
  if (told === 0) throw new Error("subscriber: the listener was never told an event");
  return {
    warmGetOpsPerSec: warm.warmGet.medianOpsPerSec,
    warmGetWithSubscriberOpsPerSec: warm.warmGetSubscribed.medianOpsPerSec,
    warmGetWithSubscriberRatio: medianRatio(warm.perRound, "warmGetSubscribed", "warmGet"),
    warmGetSubscriberExtraNs:
      medianExtraMicros(warm.perRound, "warmGetSubscribed", "warmGet") * 1000,
    requestWithSubscriberRatio: medianRatio(requests.perRound, "requestSubscribed", "request"),
    requestSubscriberExtraUs: medianExtraMicros(requests.perRound, "requestSubscribed", "request"),
  };
}
