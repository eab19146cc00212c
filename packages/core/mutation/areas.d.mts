/** The areas of mutation/areas.mjs (plain JS: StrykerJS loads its config under Node). */
export declare const AREAS: Record<
  string,
  {
    readonly dir?: string;
    readonly mutate: string[];
    readonly quick?: string;
    readonly command: string;
  }
>;
