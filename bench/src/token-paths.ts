/**
 * The token paths without the network: a warm in-memory getAccessToken, and a token served from
 * the cache file to a fresh runtime each time, beside the naive port's file read.
 */
import type * as AuthApi from "@openclaw/auth-runtime";
import type { EnvConfig } from "@openclaw/auth-runtime";
import { naiveGetToken } from "./naive.ts";
import { interleavedRounds, medianRatio } from "./rounds.ts";

export interface TokenPathOptions {
  readonly rounds: number;
  readonly roundMs: number;
}

export interface TokenPathResult {
  /** Warm getAccessToken calls per second (token in memory). */
  readonly warmGetOpsPerSec: number;
  /** getAccessToken by a new token manager each time: the token read from the cache file. */
  readonly fileHitOpsPerSec: number;
  /** The naive port's cache hit: read and parse the file, check the expiry. */
  readonly naiveFileHitOpsPerSec: number;
  /** Median over rounds of fileHit / naiveFileHit throughput. */
  readonly fileHitVsNaiveRatio: number;
}

/** `config` must point at a gateway and a cache dir that already hold a fresh token. */
export async function measureTokenPaths(
  runtime: typeof AuthApi,
  config: EnvConfig,
  options: TokenPathOptions,
): Promise<TokenPathResult> {
  await runtime.getAccessToken({ config });
  const fileHit = async () => {
    const info = await runtime.createTokenManager({ config }).getToken();
    return info.source;
  };
  const naiveFileHit = async () => (await naiveGetToken(config)).source;
  if ((await fileHit()) !== "cache" || (await naiveFileHit()) !== "cache") {
    throw new Error("token paths: the cache file did not serve the token");
  }

  const warm = await interleavedRounds(
    { warmGet: () => runtime.getAccessToken({ config }) },
    options,
  );
  const files = await interleavedRounds({ fileHit, naiveFileHit }, options);
  return {
    warmGetOpsPerSec: warm.warmGet.medianOpsPerSec,
    fileHitOpsPerSec: files.fileHit.medianOpsPerSec,
    naiveFileHitOpsPerSec: files.naiveFileHit.medianOpsPerSec,
    fileHitVsNaiveRatio: medianRatio(files.perRound, "fileHit", "naiveFileHit"),
  };
}
