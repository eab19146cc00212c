/** The conformance suite's test names as a runtime registers them, without running any test. */
import { defineConformanceSuite, type RuntimeApi } from "../../conformance/src/index.ts";

const notRunning = () => Promise.reject(new Error("only registering names"));

/** "describe > … > test" for every test, below the top-level "conformance (<runtime>)" describe. */
export function registeredTestNames(api: RuntimeApi, runtime: "bun" | "node"): string[] {
  const names: string[] = [];
  const path: string[] = [];
  defineConformanceSuite({
    runtime,
    api,
    t: {
      describe(name, fn) {
        path.push(name);
        fn();
        path.pop();
      },
      test(name) {
        names.push([...path.slice(1), name].join(" > "));
      },
    },
    startGateway: notRunning,
    runClients: notRunning,
  });
  return names;
}
