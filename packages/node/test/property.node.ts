/**
 * The hostile-answer properties of packages/core/test/property under `node --test`, against the
 * built @openclaw/auth-runtime-node: the same definitions, fewer runs (the Bun suite carries the
 * volume; this one proves the Node platform keeps the same invariants). Redis cases skip: the
 * Redis store runs on Bun's client. FC_RUNS / FC_SEED / FC_PATH work as in core (settings.ts).
 */
import { test } from "node:test";
import * as api from "@openclaw/auth-runtime-node";
import { defineHostileProperties } from "../../core/test/property/properties.ts";

defineHostileProperties(
  {
    runtime: "node",
    api,
    test: (name, fn, timeoutMs) => {
      test(name, { timeout: timeoutMs }, fn);
    },
    knownHole: (name, fn, timeoutMs) => {
      test(name, { timeout: timeoutMs, todo: "a known hole of today's main" }, fn);
    },
  },
  0.4,
);
