/** Markdown imported `with { type: "text" }` (Bun's text loader): the file's text. */
declare module "*.md" {
  const text: string;
  export default text;
}
