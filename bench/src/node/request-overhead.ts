/**
 * The Node child of the benchmarks: the request overhead measured under Node with
 * @openclaw/auth-runtime-node against a gateway in a Bun process, beside the peers (ky, axios)
 * in the same rounds. Built to `bench/.build/node-request-overhead.mjs` (see node-child.ts);
 * takes its options as one JSON argument and prints one JSON line.
 */
import * as runtime from "@openclaw/auth-runtime-node";
import { createPeers } from "../peers.ts";
import { measureRequestOverhead, type RequestOverheadOptions } from "../request-overhead.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as RequestOverheadOptions;
const result = await measureRequestOverhead(runtime, options, createPeers(options));
process.stdout.write(`${JSON.stringify({ node: process.version, ...result })}\n`);
