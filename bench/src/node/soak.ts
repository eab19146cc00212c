/**
 * The Node child of the soak: @openclaw/auth-runtime-node under the soak (see soak.ts). Built to
 * `bench/.build/node-soak.mjs` (see node-child.ts); takes its options as one JSON argument and
 * prints one JSON line.
 */
import * as runtime from "@openclaw/auth-runtime-node";
import { type SoakOptions, soak } from "../soak.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as SoakOptions;
const result = await soak(runtime, options);
process.stdout.write(`${JSON.stringify(result)}\n`);
