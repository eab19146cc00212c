/**
 * The naive algorithm of the seed's Python port, for comparison: read the cache file; on a miss
 * (or a token near expiry) ask the gateway and write the file. No memory tier, no lock, no
 * single flight, no atomic write. Blocking file I/O, as the Python port does.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

export interface NaiveConfig {
  readonly authBase: string;
  readonly clientKey: string;
  readonly cacheDir: string;
  /** @default 60 */
  readonly minTtlSec?: number;
  /** @default "/auth/session" */
  readonly sessionPath?: string;
}

/** The same file the runtime uses: `{cacheDir}/token_<sha256(authBase \n clientKey)[:32]>.json`. */
export function naiveCachePath(config: NaiveConfig): string {
  const hash = createHash("sha256").update(`${config.authBase}\n${config.clientKey}`).digest("hex");
  return `${config.cacheDir}/token_${hash.slice(0, 32)}.json`;
}

/** A token from the file if it is fresh, else from the gateway (then written to the file). */
export async function naiveGetToken(
  config: NaiveConfig,
): Promise<{ token: string; source: "cache" | "network" }> {
  const path = naiveCachePath(config);
  try {
    const data = JSON.parse(readFileSync(path, "utf8"));
    if (
      typeof data.access_token === "string" &&
      Date.now() / 1000 < data.expires_at - (config.minTtlSec ?? 60)
    ) {
      return { token: data.access_token, source: "cache" };
    }
  } catch {
    // Missing or broken: ask the gateway.
  }
  const response = await fetch(`${config.authBase}${config.sessionPath ?? "/auth/session"}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientKey: config.clientKey }),
  });
  if (!response.ok) throw new Error(`token request failed: HTTP ${response.status}`);
  const body = (await response.json()) as { accessToken?: string; expiresIn?: number };
  const token = body.accessToken;
  if (typeof token !== "string") throw new Error("token request answered no accessToken");
  const expiresIn = body.expiresIn ?? 900;
  mkdirSync(config.cacheDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    path,
    JSON.stringify({
      access_token: token,
      expires_at: Date.now() / 1000 + expiresIn,
      expires_in: expiresIn,
    }),
    { mode: 0o600 },
  );
  return { token, source: "network" };
}
