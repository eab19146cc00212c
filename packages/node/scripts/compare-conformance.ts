/**
 * Runs the conformance suite for real on both runtimes, Bun (packages/core, `bun test`) and Node
 * (this package, `node --test`), and compares the two lists of test names and their outcomes.
 * `bun run conformance:compare` in packages/node; exit code 1 on any difference or failure.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const nodeDir = fileURLToPath(new URL("..", import.meta.url));
const coreDir = join(nodeDir, "../core");

interface Outcome {
  readonly name: string;
  readonly status: "pass" | "fail" | "skip";
}

const decodeOnce = (text: string) =>
  text
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** XML-unescaped, repeatedly: Node 20's JUnit reporter escapes attributes twice (`&amp;quot;`). */
function decode(text: string): string {
  const once = decodeOnce(text);
  return once === text ? text : decode(once);
}

/** Test paths below the "conformance (<runtime>)" suite, with their outcome, from JUnit XML. */
function junitOutcomes(xml: string): Outcome[] {
  const outcomes: Outcome[] = [];
  const suites: string[] = [];
  let open: { name: string; status: Outcome["status"] } | undefined;
  const tags =
    /<testsuite\b[^>]*?\bname="([^"]*)"[^>]*?(\/?)>|<\/testsuite>|<testcase\b[^>]*?\bname="([^"]*)"[^>]*?(\/?)>|<(failure|error|skipped)\b|<\/testcase>/g;
  for (const match of xml.matchAll(tags)) {
    const [tag, suite, suiteClosed, testcase, testClosed, mark] = match;
    if (suite !== undefined) {
      if (suiteClosed !== "/") suites.push(decode(suite));
    } else if (tag === "</testsuite>") suites.pop();
    else if (testcase !== undefined) {
      const top = suites.findIndex((name) => /^conformance \((bun|node)\)$/.test(name));
      const name = [...suites.slice(top + 1), decode(testcase)].join(" > ");
      open = { name, status: "pass" };
      if (testClosed === "/") {
        outcomes.push(open);
        open = undefined;
      }
    } else if (mark !== undefined && open) {
      open.status = mark === "skipped" ? "skip" : "fail";
    } else if (tag === "</testcase>" && open) {
      outcomes.push(open);
      open = undefined;
    }
  }
  return outcomes;
}

async function runTo(cmd: string[], cwd: string): Promise<number> {
  const child = Bun.spawn(cmd, { cwd, stdout: "ignore", stderr: "inherit" });
  return child.exited;
}

const work = await mkdtemp(join(tmpdir(), "openclaw-conformance-compare-"));
try {
  const bunXml = join(work, "bun.xml");
  const nodeXml = join(work, "node.xml");
  console.log("building the Node package and its tests…");
  if ((await runTo([process.execPath, "run", "build"], nodeDir)) !== 0) process.exit(1);
  if ((await runTo([process.execPath, "scripts/build-tests.ts"], nodeDir)) !== 0) process.exit(1);
  console.log("running the suite on Bun…");
  await runTo(
    [
      process.execPath,
      "test",
      "--reporter=junit",
      `--reporter-outfile=${bunXml}`,
      "test/conformance.test.ts",
    ],
    coreDir,
  );
  console.log("running the suite on Node…");
  await runTo(
    [
      "node",
      "--test",
      "--test-reporter=junit",
      `--test-reporter-destination=${nodeXml}`,
      ".test-build/conformance.node.js",
    ],
    nodeDir,
  );
  const onBun = junitOutcomes(await readFile(bunXml, "utf8"));
  const onNode = junitOutcomes(await readFile(nodeXml, "utf8"));
  const count = (list: Outcome[], status: Outcome["status"]) =>
    list.filter((outcome) => outcome.status === status).length;
  for (const [runtime, list] of [
    ["bun", onBun],
    ["node", onNode],
  ] as const) {
    console.log(
      `${runtime}: ${list.length} tests, ${count(list, "pass")} passed, ${count(list, "fail")} failed, ${count(list, "skip")} skipped`,
    );
  }
  const bunNames = onBun.map((outcome) => outcome.name);
  const nodeNames = onNode.map((outcome) => outcome.name);
  const onlyBun = bunNames.filter((name) => !nodeNames.includes(name));
  const onlyNode = nodeNames.filter((name) => !bunNames.includes(name));
  for (const name of onlyBun) console.log(`only on bun:  ${name}`);
  for (const name of onlyNode) console.log(`only on node: ${name}`);
  for (const outcome of [...onBun, ...onNode]) {
    if (outcome.status === "fail") console.log(`failed: ${outcome.name}`);
  }
  const same =
    onlyBun.length === 0 && onlyNode.length === 0 && bunNames.join("\n") === nodeNames.join("\n");
  const allPassed = [...onBun, ...onNode].every((outcome) => outcome.status === "pass");
  console.log(
    same
      ? `same ${bunNames.length} test names, in the same order, on both runtimes`
      : "the test names differ",
  );
  if (!same || !allPassed || bunNames.length === 0) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
