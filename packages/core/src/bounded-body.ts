/**
 * Reading a response body with a byte cap that holds after decompression: fetch inflates gzip,
 * deflate and brotli as it streams, so a megabyte on the wire can be gigabytes of text. The
 * bytes are counted as they arrive and the stream is cancelled at the cap.
 */

/** A body of at most `maxBytes` bytes, as text; undefined (the stream cancelled) when larger. */
export async function readTextWithin(
  response: Response,
  maxBytes: number,
): Promise<string | undefined> {
  // An unencoded body with a Content-Length cannot grow past it (fetch enforces the length), so
  // the runtime's own reader, faster than a loop over chunks, is safe for it. Checked before
  // `response.body` is touched: on Bun that getter builds a stream, which costs more than the read.
  const length = response.headers.get("content-length");
  if (length !== null && !isEncoded(response) && Number(length) <= maxBytes) {
    return response.text();
  }
  const body = response.body;
  if (body === null) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

function isEncoded(response: Response): boolean {
  const encoding = response.headers.get("content-encoding");
  return encoding !== null && encoding.trim().toLowerCase() !== "identity";
}
