/** Decides whether a response means "your token is bad": the trigger for refresh-and-retry. */
import type { ApiResponse } from "./api-response.ts";

/** Replaceable by the caller: true when `response` says the token was refused. */
export type AuthFailureDetector = (response: ApiResponse) => boolean;

const AUTH_WORDS = /expired|unauthori[sz]ed|invalid[\s_-]?token|token[\s_-]?invalid/i;
/**
 * What a body must contain to be worth parsing: the words, or a `code`, `status` or `errcode`
 * field of 401/403. One scan decides for almost every response (this runs on every one), and a
 * 401 elsewhere, such as in a port number, does not cost a JSON parse.
 */
const AUTH_HINT = new RegExp(
  `${AUTH_WORDS.source}|"(?:code|status|errcode)"\\s*:\\s*"?40[13]`,
  "i",
);
/** Only small bodies are searched: an error envelope is small, a payload may be huge. */
const MAX_SEARCHED_BODY = 4096;
const ERROR_FIELDS = [
  "error",
  "msg",
  "message",
  "errmsg",
  "error_description",
  "errorCode",
  "error_code",
];

/**
 * HTTP 401 or 403; or a small JSON body whose top-level `code` is 401/403, or whose error
 * fields say the token expired, is unauthorized or invalid, as gateways do inside HTTP 200.
 * The default detector of `requestApiWithAutoRefresh`; wrap it to add your gateway's signs.
 *
 * @example
 * const isAuthFailureHere = (res: ApiResponse) => isAuthFailure(res) || res.status === 419;
 * await requestApiWithAutoRefresh({ config, url: "/x", isAuthFailure: isAuthFailureHere });
 */
export const isAuthFailure: AuthFailureDetector = (response) => {
  if (response.status === 401 || response.status === 403) return true;
  const body = response.body;
  // Cheap pre-checks first: this runs on every response. No test of the first character: a
  // pretty-printed envelope may start with whitespace, and whatever is not an object fails below.
  if (body.length > MAX_SEARCHED_BODY || !AUTH_HINT.test(body)) return false;
  const json = response.tryJson<Record<string, unknown>>();
  if (typeof json !== "object" || json === null) return false;
  const code = json.code ?? json.status ?? json.errcode;
  if (code === 401 || code === 403 || code === "401" || code === "403") return true;
  return ERROR_FIELDS.some((field) => {
    const value = json[field];
    return typeof value === "string" && AUTH_WORDS.test(value);
  });
};
