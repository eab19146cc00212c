/**
 * The did-you-mean of the unknown-variable warning (issue 28): the typos people make find the
 * setting they meant, from the table's own names; names far from every setting get none.
 */
import { describe, expect, test } from "bun:test";
import { CONFIG_VARIABLES } from "../../src/config/config.ts";
import { editDistance, nearestName } from "../../src/config/unknown-variables.ts";

const NAMES = CONFIG_VARIABLES.map((v) => v.name);

describe("the name meant", () => {
  test.each([
    ["AUTH_BSAE", "AUTH_BASE"],
    ["AUTH_BASEURL", "AUTH_BASE"],
    ["auth_base", "AUTH_BASE"],
    ["CLIENT_KYE", "CLIENT_KEY"],
    ["AUTH_CACHEDIR", "AUTH_CACHE_DIR"],
    ["AUTH_CACHE", "AUTH_CACHE_DIR"],
    ["AUTH_TIMEOUT", "AUTH_TIMEOUT_MS"],
    ["AUTH_MIN_TTL", "AUTH_MIN_TTL_SEC"],
    ["AUTH_ALLOWED_ORIGIN", "AUTH_ALLOWED_ORIGINS"],
    ["AUTH_SCOPES", "AUTH_SCOPE"],
    ["AUTH_CLIENTID", "AUTH_CLIENT_ID"],
    ["AUTH_DEBUG_", "AUTH_DEBUG"],
  ])("%s: did you mean %s?", (typo, meant) => {
    expect(nearestName(typo, NAMES)).toBe(meant);
  });

  test.each(["AUTH_COMPLETELY_DIFFERENT", "CLIENT_SECRET_VALUE", "AUTH_X"])(
    "%s is near no setting",
    (name) => {
      expect(nearestName(name, NAMES)).toBeUndefined();
    },
  );

  test("two swapped letters are one edit", () => {
    expect(editDistance("BSAE", "BASE")).toBe(1);
    expect(editDistance("", "ABC")).toBe(3);
    expect(editDistance("KITTEN", "SITTING")).toBe(3);
  });
});
