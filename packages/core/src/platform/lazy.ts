/**
 * A module loaded on first use. zod and dotenv cost a fresh process more than a warm token, so
 * the modules that load them are required only when a value needs them; synchronously, because
 * a config is made synchronously (so `require`, not `import()`).
 */

/**
 * The loader of `load`'s module, called at most once: `load` runs on the first call and its
 * module is kept. `load` must be `() => require("<literal path>")` written in the caller's own
 * file: the path is relative to the caller, and the Node build's bundler follows only a literal
 * `require` to bundle the module. `M` is the module's type, `typeof import("<same path>")`.
 *
 * @example
 * const schemas = lazy<typeof import("./config-schema.ts")>(() => require("./config-schema.ts"));
 * schemas().buildConfigSchemas(table);
 */
export function lazy<M>(load: () => unknown): () => M {
  let module: { readonly value: M } | undefined;
  return () => {
    module ??= { value: load() as M };
    return module.value;
  };
}
