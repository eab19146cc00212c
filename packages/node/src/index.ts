/**
 * @openclaw/auth-runtime-node: the OpenClaw auth runtime on Node.js >= 20, the same user API as
 * `@openclaw/auth-runtime` on Bun. It is core's API, built with Node's binding (src/binding.ts).
 *
 * @example
 * import { createEnvConfig, requestApiWithAutoRefresh } from "@openclaw/auth-runtime-node";
 * const config = createEnvConfig();
 * const res = await requestApiWithAutoRefresh({ config, method: "POST", url: "/ecom/tasks/scrape",
 *   body: { url: "https://detail.1688.com/offer/123.html" } });
 * console.log(res.status, res.json());
 */
export * from "@openclaw/auth-runtime";
