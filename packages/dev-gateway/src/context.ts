/** What the routes (routes.ts, oauth.ts) share with the server: its options, its tokens, its stats. */
import type { ResolvedDevGatewayOptions } from "./options.ts";
import type { StatsRecorder } from "./stats.ts";
import type { TokenAuthority } from "./tokens.ts";

/** What the routes share with the server. */
export interface GatewayContext {
  readonly options: ResolvedDevGatewayOptions;
  readonly authority: TokenAuthority;
  readonly stats: StatsRecorder;
}
