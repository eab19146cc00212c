/**
 * Proof for tsconfig.logic.json that neither Node's nor Bun's types were loaded: each line below
 * is an error only while they are absent, so if a dependency's types pull them in again (dotenv's
 * did), the directive goes unused and the check fails.
 */

// @ts-expect-error Node's namespace: loaded only with @types/node.
export type NodeTimer = NodeJS.Timeout;
// @ts-expect-error Bun's namespace: loaded only with @types/bun.
export type BunEnv = Bun.Env;
// @ts-expect-error Node's Buffer global.
export type NodeBuffer = Buffer;
// @ts-expect-error Node's and Bun's `process` global.
export type NodeProcess = typeof process;
