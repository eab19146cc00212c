/**
 * `@openclaw/dev-gateway` in the Node build: the dev gateway is a Bun server (Bun.serve), so on
 * Node the `dev-gateway` command says where to run it instead (LISTEN_ERROR, exit 2). Every
 * other command works alike on both runtimes.
 */
export const DEFAULT_DEV_CLIENT_KEY = "dev-client-key";
export const DEFAULT_DEV_CLIENT_ID = "dev-client";

export function startDevGateway(): never {
  throw new Error(
    "the dev gateway runs on Bun only: install Bun (https://bun.sh) and run it again, or `bunx @openclaw/auth-cli dev-gateway`",
  );
}
