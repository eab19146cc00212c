/** The API request options' defaults and checks: a typo must not turn a limit or the redirect policy off. */
import { describe, expect, test } from "bun:test";
import { API_REQUEST_DEFAULTS, MAX_REDIRECTS } from "../../src/request/send-request.ts";
import { requestApi } from "../fixtures/internal-api.ts";

describe("API request options", () => {
  test("defaults: 32 MiB of body, redirects followed within the token's origins, at most 5", () => {
    expect(API_REQUEST_DEFAULTS).toEqual({ maxResponseBytes: 33_554_432, redirect: "follow" });
    expect(MAX_REDIRECTS).toBe(5);
  });

  test.each([
    [{ maxResponseBytes: -1 }, /maxResponseBytes must be an integer >= 0/],
    [{ maxResponseBytes: 1.5 }, /maxResponseBytes/],
    [{ maxResponseBytes: Number.NaN }, /maxResponseBytes/],
    [{ redirect: "folow" }, /redirect must be "follow", "manual" or "error"/],
  ])("%p is a TypeError naming the option, before anything is sent", async (bad, message) => {
    let sent = 0;
    const error = await requestApi({
      url: "https://gw.example/x",
      authToken: "t",
      fetch: async () => {
        sent++;
        return new Response("{}");
      },
      ...(bad as object),
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(sent).toBe(0);
  });
});
