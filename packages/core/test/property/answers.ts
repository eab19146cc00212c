/**
 * Arbitraries of hostile answers. An answer is drawn as a plan whose text may name things known
 * only once the servers run (`__API__`, `__FOREIGN__`…) or derived from the drawn key
 * (`__ECHO__`); {@link materialize} turns a plan into the bytes a server replays. Plans stay
 * plain data, so a counterexample prints as something a reader can replay by hand.
 */
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import type { Answer, Framing } from "./wire.ts";

export type Encoding =
  | "identity"
  | "gzip"
  | "deflate"
  | "br"
  | "gzip-garbage"
  | "deflate-garbage"
  | "br-garbage"
  | "zstd-garbage"
  | "gzip-labelled-br";

/** How the key is echoed back: the forms an echo takes on the way out. */
export type EchoForm =
  | "raw"
  | "json"
  | "percent"
  | "base64"
  | "base64url"
  | "basic"
  | "pem"
  | "pem-body"
  | "pem-line"
  | "pem-crlf";

export interface AnswerPlan {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** The body text; `__ECHO__` and the origin names are filled in by {@link materialize}. */
  readonly body: string;
  /** JSON bodies get the echo JSON-escaped. */
  readonly json: boolean;
  /** Zero bytes appended inside the body's `pad` (0: none), to cross a size cap. */
  readonly pad: number;
  readonly encoding: Encoding;
  readonly framing: Framing;
  readonly echo: EchoForm;
  readonly stall: boolean;
}

/** What {@link materialize} needs: the origins of the run and the secrets an echo repeats. */
export interface AnswerContext {
  readonly origins: Readonly<Record<"API" | "ALLOWED" | "FOREIGN" | "ISSUER", string>>;
  readonly key: string;
  readonly clientId: string;
}

// ---- Tokens and lifetimes --------------------------------------------------------------------

const VISIBLE = "!#$%&'()*+-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~\"";
const marker = fc.stringMatching(/^[0-9a-f]{12}$/);

/** A token the runtime must accept: visible ASCII, no space, at most 16384 characters. */
export const validToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: marker.map((m) => `tk_${m}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(marker, fc.string({ unit: fc.constantFrom(...VISIBLE), maxLength: 12 }))
      .map(([m, s]) => `tk_${m}${s}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(marker, fc.integer({ min: -1e10, max: 2e10 }))
      .map(([m, exp]) => `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify({ exp, m }))}.sig${m}`),
  },
  { weight: 1, arbitrary: marker.map((m) => `tk_${m}${"x".repeat(16384 - 15)}`) },
);

/** A token the runtime must refuse: outside visible ASCII, or too long. */
export const hostileToken: fc.Arbitrary<string> = fc
  .tuple(
    marker,
    fc.constantFrom(
      " ",
      "\t",
      "\n",
      "\u0000",
      "\u007f",
      "é",
      "\u2028",
      "€",
      "\ud800",
      "x".repeat(16385),
    ),
    fc.boolean(),
  )
  .map(([m, bad, front]) => (front ? `${bad}tk_${m}` : `tk_${m}${bad}`));

function b64u(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Lifetimes as JSON text: huge, negative, NaN, exponents, strings, milliseconds. */
export const lifetimeText: fc.Arbitrary<string> = fc.constantFrom(
  "900",
  "60",
  "0",
  "-5",
  "-0",
  "1.5",
  "1e999",
  "-1e999",
  "1e308",
  "-1e308",
  "NaN",
  "Infinity",
  "9007199254740993",
  "1e11",
  "1700000000000",
  "4102444800",
  '"900"',
  '" 900 "',
  '"1e3"',
  '"-1"',
  '"abc"',
  "null",
  "true",
  "[900]",
  "{}",
);

// ---- Bodies ----------------------------------------------------------------------------------

const tokenField = fc.oneof(
  { weight: 4, arbitrary: validToken.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: hostileToken.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: fc.constantFrom('""', "null", "123", "{}", "[]", "true") },
);

const echoField = fc.constantFrom(
  "",
  ',"echo":"__ECHO__"',
  ',"msg":"bad key __ECHO__"',
  ',"error_description":"__ECHO__"',
);

/** Session grant bodies: camelCase, snake_case, a `data` wrapper, expires_at, none. */
const sessionBody = fc
  .tuple(
    fc.constantFrom("camel", "snake", "wrapped", "at", "plain"),
    tokenField,
    lifetimeText,
    echoField,
  )
  .map(([shape, token, life, echo]) => {
    switch (shape) {
      case "camel":
        return `{"accessToken":${token},"expiresIn":${life}${echo}}`;
      case "snake":
        return `{"access_token":${token},"expires_in":${life}${echo}}`;
      case "wrapped":
        return `{"code":0,"data":{"accessToken":${token},"expiresIn":${life}}${echo}}`;
      case "at":
        return `{"access_token":${token},"expires_at":${life}${echo}}`;
      default:
        return `{"access_token":${token}${echo}}`;
    }
  });

/** OAuth §5.1 bodies, with token_type of every kind. */
const oauthBody = fc
  .tuple(
    tokenField,
    fc.constantFrom('"Bearer"', '"bearer"', '"BEARER"', '"DPoP"', '"mac"', "1", "null", ""),
    lifetimeText,
    echoField,
  )
  .map(([token, type, life, echo]) => {
    const typeField = type === "" ? "" : `,"token_type":${type}`;
    return `{"access_token":${token}${typeField},"expires_in":${life}${echo}}`;
  });

/** Error bodies, OAuth §5.2 and the gateway's own, some echoing the key (in `error` too). */
const errorBody = fc.constantFrom(
  '{"error":"invalid_client","error_description":"__ECHO__"}',
  '{"error":"__ECHO__"}',
  '{"error":"invalid_request","error_uri":"__FOREIGN__/?k=__ECHO__"}',
  '{"code":401,"msg":"token expired"}',
  '{"code":500,"message":"key __ECHO__ refused"}',
  '{"error":{"message":"__ECHO__"}}',
);

const textBody = fc.constantFrom(
  "",
  "not json",
  "<html><body>Bad Gateway __ECHO__</body></html>",
  "__ECHO__",
  "{",
  "null",
  "[]",
  '"a string"',
  "\u0000\u0001\u0002",
);

// ---- Headers ---------------------------------------------------------------------------------

export const retryAfter = fc.constantFrom(
  "0",
  "0.01",
  "1",
  "-1",
  "abc",
  "99999",
  "1e999",
  " 0 ",
  "",
  "Wed, 21 Oct 2015 07:28:00 GMT",
  "Fri, 31 Dec 9999 23:59:59 GMT",
  "0, 0",
);

/** Redirect targets: other origins, schemes, loopback names, credentials. */
export const location = fc.constantFrom(
  "/moved",
  "__API__/hop",
  "__ALLOWED__/hop",
  "__FOREIGN__/stolen",
  "//__FOREIGN_HP__/scheme-relative",
  "http://localhost:__FOREIGN_PORT__/alias",
  "http://user:pass@__API_HP__/with-credentials",
  "http://__ECHO__@__FOREIGN_HP__/key-as-user",
  "https://__FOREIGN_HP__/tls",
  "http://[::1]:__FOREIGN_PORT__/v6",
  "http://127.0.0.2:__FOREIGN_PORT__/other-loopback",
  "ftp://__FOREIGN_HP__/x",
  "file:///etc/passwd",
  "data:text/plain,hello",
  "javascript:alert(1)",
  "http://%zz/",
  "",
);

const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom<[string, string]>(
      ["Content-Type", "application/json"],
      ["Content-Type", "text/html"],
      ["Content-Type", "application/json; charset=utf-16"],
      ["Set-Cookie", "s=__ECHO__"],
      ["X-Echo", "__ECHO__"],
      ["WWW-Authenticate", 'Bearer error="invalid_token", error_description="__ECHO__"'],
      ["Transfer-Encoding", "gzip, chunked"],
      ["Content-Encoding", "identity"],
    ),
    retryAfter.map((v): [string, string] => ["Retry-After", v]),
    location.map((v): [string, string] => ["Location", v]),
  ),
  { maxLength: 3 },
);

const status = fc.oneof(
  { weight: 6, arbitrary: fc.constant(200) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      201,
      204,
      299,
      301,
      302,
      303,
      307,
      308,
      400,
      401,
      403,
      404,
      408,
      429,
      500,
      502,
      503,
      599,
    ),
  },
);

const encoding = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Encoding>("identity") },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Encoding>(
      "gzip",
      "deflate",
      "br",
      "gzip-garbage",
      "deflate-garbage",
      "br-garbage",
      "zstd-garbage",
      "gzip-labelled-br",
    ),
  },
);

const framing = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Framing>("length") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Framing>(
      "length-longer",
      "length-shorter",
      "chunked",
      "chunked-and-length",
      "close",
    ),
  },
);

export const echoForm = fc.constantFrom<EchoForm>(
  "raw",
  "json",
  "percent",
  "base64",
  "base64url",
  "basic",
  "pem",
  "pem-body",
  "pem-line",
  "pem-crlf",
);

/** Around the token cap (64 KiB), and a bomb far above it. */
const pad = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(65_400, 65_536, 70_000) },
  { weight: 1, arbitrary: fc.constant(2 * 1024 * 1024) },
);

function plan(body: fc.Arbitrary<string>, json: boolean): fc.Arbitrary<AnswerPlan> {
  return fc.record({
    status,
    headers: extraHeaders,
    body,
    json: fc.constant(json),
    pad,
    encoding,
    framing,
    echo: echoForm,
    stall: fc.oneof(
      { weight: 30, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  });
}

/** A token endpoint's answer, for the session grant or OAuth. */
export function tokenAnswer(grant: "session" | "oauth"): fc.Arbitrary<AnswerPlan> {
  return fc.oneof(
    { weight: 5, arbitrary: plan(grant === "session" ? sessionBody : oauthBody, true) },
    { weight: 2, arbitrary: plan(errorBody, true) },
    { weight: 1, arbitrary: plan(textBody, false) },
  );
}

/** An API answer: an echo of what was sent, an auth failure, an error, a redirect. */
export const apiAnswer: fc.Arbitrary<AnswerPlan> = fc.oneof(
  { weight: 3, arbitrary: plan(fc.constant('{"ok":true,"seen":"__REQUEST__"}'), true) },
  { weight: 2, arbitrary: plan(errorBody, true) },
  { weight: 1, arbitrary: plan(textBody, false) },
);

/** A discovery document (RFC 8414 / OpenID): token endpoints of every kind. */
export const discoveryAnswer: fc.Arbitrary<AnswerPlan> = plan(
  fc
    .tuple(
      fc.constantFrom(
        "__ISSUER__/token",
        "__FOREIGN__/token",
        "__API__/token",
        "http://user:pw@__ISSUER_HP__/token",
        "http://__ECHO__@__ISSUER_HP__/token",
        "__ISSUER__/token#frag",
        "__ISSUER__/token?x=1",
        "ftp://__ISSUER_HP__/token",
        "file:///token",
        "javascript:alert(1)",
        "data:,token",
        "/token",
        "//__ISSUER_HP__/token",
        "http://localhost:__ISSUER_PORT__/token",
        "https://__ISSUER_HP__/token",
        "http://[::1]:__ISSUER_PORT__/token",
      ),
      fc.constantFrom("__ISSUER__", "__FOREIGN__", ""),
    )
    .map(([endpoint, issuer]) => JSON.stringify({ issuer, token_endpoint: endpoint })),
  true,
).map((p) => ({ ...p, status: p.status === 200 || p.status >= 400 ? p.status : 200, pad: 0 }));

// ---- Materializing ---------------------------------------------------------------------------

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The echo of the key in `form`. */
export function echoOf(form: EchoForm, key: string, clientId: string): string {
  const pemBody = key.split(/\r?\n/).filter((l) => l && !l.startsWith("-----"));
  switch (form) {
    case "raw":
    case "json":
      return key;
    case "percent":
      return encodeURIComponent(key);
    case "base64":
      return base64(key);
    case "base64url":
      return base64(key).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    case "basic":
      return base64(`${encodeURIComponent(clientId)}:${encodeURIComponent(key)}`);
    case "pem":
      return key;
    case "pem-body":
      return pemBody.length ? pemBody.join("") : key;
    case "pem-line":
      return pemBody.length ? (pemBody[1] ?? pemBody[0] ?? key) : key;
    case "pem-crlf":
      return key.replaceAll("\n", "\r\n");
  }
}

const zeros = new Map<number, string>();

function encode(bytes: Uint8Array, encoding: Encoding): { body: Uint8Array; label?: string } {
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff);
  switch (encoding) {
    case "identity":
      return { body: bytes };
    case "gzip":
      return { body: gzipSync(bytes, { level: 1 }), label: "gzip" };
    case "deflate":
      return { body: deflateSync(bytes, { level: 1 }), label: "deflate" };
    case "br":
      return {
        body: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
        label: "br",
      };
    case "gzip-labelled-br":
      return { body: gzipSync(bytes, { level: 1 }), label: "br" };
    case "gzip-garbage":
      return { body: garbage, label: "gzip" };
    case "deflate-garbage":
      return { body: garbage, label: "deflate" };
    case "br-garbage":
      return { body: garbage, label: "br" };
    case "zstd-garbage":
      return { body: garbage, label: "zstd" };
  }
}

/** Fills in `text`'s names. `json`: the echo JSON-escaped. */
export function fill(
  text: string,
  ctx: AnswerContext,
  echo: EchoForm,
  json: boolean,
  request = "",
): string {
  const hp = (origin: string) => origin.replace(/^https?:\/\//, "");
  const port = (origin: string) => origin.replace(/^.*:/, "");
  const echoed = echoOf(echo, ctx.key, ctx.clientId);
  const inText = (s: string) => (json ? JSON.stringify(s).slice(1, -1) : s);
  return text
    .replaceAll("__API_HP__", hp(ctx.origins.API))
    .replaceAll("__FOREIGN_HP__", hp(ctx.origins.FOREIGN))
    .replaceAll("__ISSUER_HP__", hp(ctx.origins.ISSUER))
    .replaceAll("__FOREIGN_PORT__", port(ctx.origins.FOREIGN))
    .replaceAll("__ISSUER_PORT__", port(ctx.origins.ISSUER))
    .replaceAll("__API__", ctx.origins.API)
    .replaceAll("__ALLOWED__", ctx.origins.ALLOWED)
    .replaceAll("__FOREIGN__", ctx.origins.FOREIGN)
    .replaceAll("__ISSUER__", ctx.origins.ISSUER)
    .replaceAll("__REQUEST__", inText(request))
    .replaceAll("__ECHO__", inText(echoed));
}

/** A header value must be latin-1 without line breaks, or the server could not send it. */
const headerSafe = (value: string) => /^[\x20-\x7e\x80-\xff]*$/.test(value);

/** The answer `plan` stands for in this run. `request`: what an echoing API repeats. */
export function materialize(plan: AnswerPlan, ctx: AnswerContext, request = ""): Answer {
  const bomb = /^__BOMB_(\w+)__$/.exec(plan.body)?.[1] as BombEncoding | undefined;
  const built = bomb && BOMBS.get(bomb);
  if (bomb && built) {
    return {
      status: plan.status,
      headers: [...plan.headers, ["Content-Encoding", bomb]],
      body: built.body,
      framing: plan.framing,
      decodedBytes: built.decodedBytes,
    };
  }
  let text = fill(plan.body, ctx, plan.echo, plan.json, request);
  if (plan.pad > 0) {
    let z = zeros.get(plan.pad);
    if (z === undefined) {
      z = "0".repeat(plan.pad);
      zeros.set(plan.pad, z);
    }
    text = text.startsWith("{") ? `{"pad":"${z}",${text.slice(1)}` : text + z;
  }
  const decoded = new TextEncoder().encode(text);
  const { body, label } = encode(decoded, plan.encoding);
  const headers = plan.headers
    .map(([name, value]) => [name, fill(value, ctx, plan.echo, false)] as const)
    .filter(([, value]) => headerSafe(value));
  if (label) headers.push(["Content-Encoding", label]);
  return {
    status: plan.status,
    headers,
    body,
    framing: plan.framing,
    stall: plan.stall,
    decodedBytes: decoded.length,
  };
}

/** Error answers of a token endpoint that echo the secret, in every form, in every field. */
export const echoingErrorAnswer: fc.Arbitrary<AnswerPlan> = fc.record({
  status: fc.constantFrom(400, 401, 403, 500),
  headers: fc.constant([]),
  body: fc.oneof(errorBody, textBody),
  json: fc.constant(true),
  pad: fc.constant(0),
  encoding: fc.constant<Encoding>("identity"),
  framing: fc.constant<Framing>("length"),
  echo: echoForm,
  stall: fc.constant(false),
});

// ---- Compression bombs -----------------------------------------------------------------------

export type BombEncoding = "gzip" | "deflate" | "br" | "zstd";

/** Prebuilt bombs (see bombs.ts), by encoding: the same zeros, far above every cap. */
export const BOMBS = new Map<BombEncoding, { body: Uint8Array; decodedBytes: number }>();

/** A bomb answer: 2xx, the given encoding, any framing. */
export function bombAnswer(encodings: readonly BombEncoding[]): fc.Arbitrary<AnswerPlan> {
  return fc.record({
    status: fc.constantFrom(200, 201, 500),
    headers: fc.constant([["Content-Type", "application/json"] as const]),
    body: fc.constantFrom(...encodings).map((e) => `__BOMB_${e}__`),
    json: fc.constant(false),
    pad: fc.constant(0),
    encoding: fc.constant<Encoding>("identity"),
    framing: fc.constantFrom<Framing>("length", "chunked", "chunked-and-length", "close"),
    echo: fc.constant<EchoForm>("raw"),
    stall: fc.constant(false),
  });
}

/** A discovery document served plainly (200, identity), so only its token endpoint varies. */
export const plainDiscoveryAnswer: fc.Arbitrary<AnswerPlan> = discoveryAnswer.map((p) => ({
  ...p,
  status: 200,
  headers: [],
  encoding: "identity" as const,
  framing: "length" as const,
  stall: false,
}));

/**
 * An answer whose Content-Length says a few bytes while its chunked body runs past the cap:
 * HTTP says the chunks win, and a reader that trusts the length lets the rest through.
 */
export function lyingLengthAnswer(body: fc.Arbitrary<AnswerPlan>): fc.Arbitrary<AnswerPlan> {
  return fc.tuple(body, fc.constantFrom(0, 65_400, 70_000)).map(([p, pad]) => ({
    ...p,
    status: 200,
    headers: [],
    pad,
    encoding: "identity" as const,
    framing: "chunked-and-length" as const,
    stall: false,
  }));
}
