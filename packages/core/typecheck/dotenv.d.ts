/**
 * dotenv's `parse`, as config.ts calls it, for tsconfig.logic.json only. dotenv's own types
 * start with `/// <reference types="node" />`, which would load all of Node's types into a check
 * that must prove the logic needs none of them. Keep in step with dotenv's `parse` (string input).
 */
export function parse(src: string): Record<string, string>;
