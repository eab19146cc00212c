/**
 * How text the CLI does not control is shown: a gateway's error body, an OAuth error
 * description, a header, a URL from the configuration. A terminal obeys the control characters
 * in what it is given (ESC starts a sequence that can retitle the window, rewrite the screen or,
 * on some terminals, answer back into the shell; BEL, CR and the 8-bit C1 codes do their own
 * things), so none reaches it: each C0 and C1 control and DEL is shown as a `\xNN` escape.
 * Escaped, not dropped: dropping would join the text around it, and a secret split by a control
 * would come out whole.
 */

/** The controls (Unicode's Cc: C0, DEL, C1) but tab and line feed. */
const CONTROLS = /(?![\t\n])\p{Cc}/gu;
/** The same, and CR only when it does not end a line (CRLF text keeps its line ends). */
const CONTROLS_BUT_CRLF = /(?![\t\n]|\r\n)\p{Cc}/gu;

const escaped = (char: string) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;

/**
 * `text` as one line: line breaks (any run of CR and LF) become a space, every other control
 * but tab an escape. For a message (`openclaw-auth: CODE: …`), one line whatever it quotes.
 *
 * @example
 * oneLine("denied \x1b]0;pwned\x07\r\nretry"); // "denied \\x1b]0;pwned\\x07 retry"
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(CONTROLS, escaped);
}

/**
 * `text` with its lines: LF, CRLF and tab kept, every other control an escape. For a block
 * (headers, a response body shown on a terminal).
 *
 * @example
 * textBlock("a\x1b[2J\r\nb\rc"); // "a\\x1b[2J\r\nb\\x0dc"
 */
export function textBlock(text: string): string {
  return text.replace(CONTROLS_BUT_CRLF, escaped);
}

/**
 * `url` as it may be shown: without its query and fragment (a query may carry a secret,
 * `?client_secret=…`) and without its userinfo (`user:password@`). A plain text cut, not a
 * parse: what is shown must not change in any other way, nor depend on the URL being valid.
 *
 * @example
 * displayUrl("https://u:p@as.example/token?client_secret=s"); // "https://as.example/token"
 */
export function displayUrl(url: string): string {
  const noQuery = url.replace(/[?#][\s\S]*$/, "");
  // The authority runs to the first slash (or backslash, which WHATWG URLs read as one);
  // everything in it up to its last "@" is userinfo.
  return noQuery.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/\\]*@/, "$1");
}
