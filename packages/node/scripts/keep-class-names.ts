/**
 * Gives the classes of a built chunk back the names of their source. Bundling renames a class
 * whose name collides in the chunk's scope (`ConfigError` becomes `ConfigError2`), and Node
 * prints an uncaught error by its constructor's name. Bun's `keepNames` does not prevent it
 * (Bun 1.4.5: it adds nothing when identifiers are not minified, and keeps no class name when
 * they are), so each renamed class gets a static block setting its `name`, appended after the
 * `{` that ends its header line: nothing before it on the line moves, so the source map holds.
 */

/** `class Name2 … {` at the end of a line: a class the bundler renamed, and its header. */
const RENAMED_CLASS = /\bclass ([A-Za-z_$][\w$]*?)(\d+)\b([^\n{]*)\{[ \t]*$/gm;

/**
 * `code` with each renamed class named as in `sources` (the texts its source map holds): a
 * class is renamed back only when a source declares a class of the name without the digits
 * and none of the name with them.
 * @example
 * keepClassNames("X2 = class ConfigError2 extends E {\n", ["class ConfigError extends E {}"]);
 * // 'X2 = class ConfigError2 extends E {static{Object.defineProperty(this,"name",{value:"ConfigError"})}\n'
 */
export function keepClassNames(code: string, sources: readonly string[]): string {
  const declared = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/\bclass ([A-Za-z_$][\w$]*)/g))
      declared.add(match[1] ?? "");
  }
  return code.replace(RENAMED_CLASS, (header: string, name: string, digits: string) => {
    if (!declared.has(name) || declared.has(`${name}${digits}`)) return header;
    return `${header}static{Object.defineProperty(this,"name",{value:${JSON.stringify(name)}})}`;
  });
}
