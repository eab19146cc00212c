/**
 * A `.env` whose lines are all plain is read without loading dotenv (docs/configuration.md); its
 * variables must then be exactly dotenv's. Lines at the edge of "plain": a carriage return inside
 * a line, `export` followed by several blanks.
 */
import { expect, test } from "bun:test";
import { parse as parseDotenv } from "dotenv";
import { parsePlainEnv } from "../../src/config/env-file.ts";

test("a carriage return inside a line is not plain: the file is left to dotenv, which ends the value there", () => {
  const text = "A=x\ry\nB=2\n";
  expect(parsePlainEnv(text)).toBeUndefined();
  expect(parseDotenv(text)).toEqual({ A: "x", B: "2" });
});

test("`export` followed by several blanks, or a tab, is plain and read as dotenv reads it", () => {
  for (const text of ["export  A=1\n", "export\t\tB=2\n", "export \t C=3\r\n"]) {
    const parsed = parsePlainEnv(text);
    expect(parsed).toBeDefined();
    expect(parsed).toEqual(parseDotenv(text));
  }
});
