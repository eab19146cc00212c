/**
 * The packed tarball, as a consumer's strict tsc sees it under each module resolution a project
 * may use: it resolves `@openclaw/dev-gateway` (and `/remote`) to compiled declarations, never to
 * our `.ts` source, which their flags would reject (TS5097, TS4111). Needs `bun run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PACKAGE = resolve(import.meta.dir, "..");
const TSC = resolve(PACKAGE, "../../node_modules/typescript/bin/tsc");

let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "openclaw-dev-gateway-consumer-"));
  const pack = Bun.spawnSync(["bun", "pm", "pack", "--destination", project, "--quiet"], {
    cwd: PACKAGE,
  });
  expect(pack.exitCode, pack.stderr.toString()).toBe(0);
  const tarball = (await readdir(project)).find((name) => name.endsWith(".tgz")) as string;
  const installed = join(project, "node_modules", "@openclaw", "dev-gateway");
  await mkdir(installed, { recursive: true });
  const untar = Bun.spawnSync([
    "tar",
    "xzf",
    join(project, tarball),
    "-C",
    installed,
    "--strip-components=1",
  ]);
  expect(untar.exitCode).toBe(0);
  await writeFile(
    join(project, "consumer.ts"),
    [
      'import { type DevGateway, startDevGateway } from "@openclaw/dev-gateway";',
      'import { connectDevGateway } from "@openclaw/dev-gateway/remote";',
      "const gateway: DevGateway = startDevGateway({ port: 0, ttlSec: 60 });",
      "const stats = gateway.stats();",
      "export const issued: number = stats.tokensIssued;",
      "export const remote = connectDevGateway;",
      "",
    ].join("\n"),
  );
}, 60_000);
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

const STRICT = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  skipLibCheck: false,
  noEmit: true,
  types: [],
};

describe("the packed @openclaw/dev-gateway in a strict TypeScript project", () => {
  test.each([
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
    // No `exports` support: only the top-level `types` can answer (the `/remote` import aside).
    ["node10", { module: "commonjs", moduleResolution: "node10", ignoreDeprecations: "6.0" }],
  ] as const)(
    "typechecks under moduleResolution %s",
    async (name, options) => {
      const files = name === "node10" ? ["node10.ts"] : ["consumer.ts"];
      if (name === "node10") {
        await writeFile(
          join(project, "node10.ts"),
          'import { startDevGateway } from "@openclaw/dev-gateway";\nexport const url: string = startDevGateway().url;\n',
        );
      }
      const config = join(project, `tsconfig.${name}.json`);
      await writeFile(
        config,
        JSON.stringify({ compilerOptions: { ...STRICT, ...options }, files }),
      );
      const tsc = Bun.spawnSync([process.execPath, TSC, "-p", config], { cwd: project });
      expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
      expect(tsc.exitCode).toBe(0);
    },
    60_000,
  );
});
