/**
 * CommonJS's `require`, for tsconfig.logic.json only: Bun provides it in every module and the
 * Node build's bundler turns a literal `require("./x.ts")` into its own loader. The logic calls it
 * only inside platform/lazy.ts's `lazy(() => require(…))` (test/lazy-module.test.ts checks); the
 * other checks get it from Bun's or Node's types.
 */
declare function require(id: string): unknown;
