/**
 * On Node, the functions of this package lead to the runtime made with Node's binding: what a
 * tool (the CLI among them) gets from `runtimeOf`, since ./adapter holds no runtime itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cacheFilePath, createConfig, getAccessToken } from "@openclaw/auth-runtime-node";
import { nodePlatform, runtimeOf } from "@openclaw/auth-runtime-node/adapter";

test("runtimeOf a function of the package is the runtime on Node's platform", () => {
  const runtime = runtimeOf(getAccessToken);
  assert.equal(runtime.platform, nodePlatform);
  assert.equal(runtimeOf(cacheFilePath), runtime);
  const config = createConfig({
    authBase: "https://gw.example.com",
    clientKey: "ck-runtime-of-node",
    cacheDir: "/tmp/openclaw-runtime-of",
  });
  assert.equal(
    runtime.createFileTokenStore(config.cacheDir).filePath(runtime.cacheKey(config)),
    cacheFilePath(config),
  );
});
