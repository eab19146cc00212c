/**
 * `--json` messages (errors, warnings, notes) are redacted like the text lines: against a
 * gateway that echoes the key in every form, and a cache dir whose name holds it, the JSON
 * message is the text line's message, and neither the stream nor the decoded JSON holds any
 * form of the key.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { CLIENT_KEY, holdsSecret, type Run, TIMEOUT_MS, useFixture } from "./helpers.ts";

const fx = useFixture();

/** A key whose forms all differ: JSON escapes its quotes, percent-encoding most of it. */
const ODD_KEY = 'ck-"Q/u+o=t&e"-7Hx2';
const base64url = (text: string) =>
  btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const everyForm = (key: string) =>
  [
    key,
    JSON.stringify(key),
    encodeURIComponent(key),
    btoa(key),
    base64url(key),
    // The forms inside a JSON body, as an echo of the request would carry them.
    btoa(JSON.stringify({ clientKey: key })),
  ].join(" | ");

/** A session endpoint that refuses every key, echoing it in every form (and the body it got). */
let echoing: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  echoing = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = await request.text();
      const key = (JSON.parse(body) as { clientKey: string }).clientKey;
      return new Response(`refused ${everyForm(key)} | got ${body}`, { status: 401 });
    },
  });
});
afterAll(() => echoing?.stop(true));

type Kind = "error" | "warning" | "note";

/** The message of each stderr line: text lines without `openclaw-auth: [CODE: |warning: ]`. */
function textMessages(stderr: string): string[] {
  return stderr
    .trimEnd()
    .split("\n")
    .map((line) => line.replace(/^openclaw-auth: (?:warning: |[A-Z_]+: )?/, ""));
}

/** The decoded `{kind:{message}}` of each JSON stderr line. */
function jsonMessages(stderr: string, kind: Kind): string[] {
  return stderr
    .trimEnd()
    .split("\n")
    .map((line) => {
      const parsed = JSON.parse(line) as Record<Kind, { message: string }>;
      expect(Object.keys(parsed)).toEqual([kind]);
      return parsed[kind].message;
    });
}

/** Runs `args` as text and as --json: the same messages, redacted, no form of `key` anywhere. */
async function expectRedactedAlike(
  args: string[],
  kind: Kind,
  key: string,
  env: Record<string, string | undefined>,
): Promise<void> {
  const text: Run = await fx.run(args, { env });
  const json: Run = await fx.run([...args, "--json"], { env });
  expect(json.code).toBe(text.code);
  const plain = textMessages(text.stderr);
  const decoded = jsonMessages(json.stderr, kind);
  expect(decoded).toEqual(plain);
  expect(decoded.join("\n")).toContain("[redacted]");
  for (const out of [text.stderr, json.stderr, ...decoded]) {
    expect(holdsSecret(out, key), out).toBe(false);
  }
}

describe("--json messages are redacted like the text lines", () => {
  test(
    "errors: a gateway echoing the key raw, JSON-escaped, percent-encoded, base64 and base64url",
    async () => {
      const env = { AUTH_BASE: `http://127.0.0.1:${echoing?.port}` };
      await expectRedactedAlike(["token"], "error", CLIENT_KEY, env);
      await expectRedactedAlike(["token"], "error", ODD_KEY, { ...env, CLIENT_KEY: ODD_KEY });
    },
    TIMEOUT_MS,
  );

  /** A cache dir whose name holds the key in every form a file name can (no "/"). */
  const keyedDir = () =>
    join(
      fx.dir,
      `raw-${CLIENT_KEY}-pct-${encodeURIComponent(CLIENT_KEY)}-b64-${btoa(CLIENT_KEY)}-b64u-${base64url(CLIENT_KEY)}`,
    );

  test(
    "warnings: a symlinked cache dir named with the key",
    async () => {
      const real = join(fx.dir, "real");
      await mkdir(real, { mode: 0o700 });
      await symlink(real, keyedDir());
      await expectRedactedAlike(["token"], "warning", CLIENT_KEY, {
        AUTH_CACHE_DIR: keyedDir(),
      });
    },
    TIMEOUT_MS,
  );

  test(
    "notes: clear in a cache dir named with the key",
    async () => {
      await expectRedactedAlike(["clear"], "note", CLIENT_KEY, { AUTH_CACHE_DIR: keyedDir() });
    },
    TIMEOUT_MS,
  );

  test(
    "notes: a name holding the key JSON-escaped is redacted inside the JSON too (not escaped twice past it)",
    async () => {
      // A quote and a backslash, no slash: the JSON-escaped form can be a file name.
      const key = 'ck-"Q\\uo"-7Hx2';
      const dir = join(fx.dir, `json-${JSON.stringify(key).slice(1, -1)}`);
      await expectRedactedAlike(["clear"], "note", key, { CLIENT_KEY: key, AUTH_CACHE_DIR: dir });
    },
    TIMEOUT_MS,
  );
});
