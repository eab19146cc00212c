/**
 * Reading a response body with a byte cap that holds after decompression: a megabyte of gzip can
 * inflate to gigabytes of text. The bytes are counted as they arrive and the stream is
 * cancelled at the cap. Neither the Content-Length nor the runtime's decoder is taken on trust:
 * Bun reads a chunked body whole whatever its Content-Length says, and keeps inflating after a
 * cancel unless it was asked for the body as sent (body-decoding.ts, the Bun platform's fetch).
 */
import { untilAborted } from "./abort.ts";

/** A Content-Length as HTTP writes it: digits only (`Number` would take "0x10" or "1e9"). */
const DIGITS = /^[0-9]{1,15}$/;

/**
 * A body of at most `maxBytes` bytes, as text; undefined (the stream cancelled) when larger.
 * `signal` (the attempt's) ends the read too: Node 20's fetch leaves a read of a close-delimited
 * body its decoder cannot inflate pending for good, whatever signal the fetch was given.
 */
export async function readTextWithin(
  response: Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  // The common small answer, read by the runtime's own reader (faster than a loop over chunks,
  // and `response.body` alone costs more than the read on Bun). Only when the Content-Length is
  // how the message is framed: HTTP/1.1 frames a body by it unless a Transfer-Encoding is there
  // (which wins, and which Bun then follows even past the length), and only a body as sent (a
  // decoded one may be any size). Checked before `response.body` is touched.
  const headers = response.headers;
  const length = headers.get("content-length");
  if (
    length !== null &&
    headers.get("transfer-encoding") === null &&
    !isEncoded(headers) &&
    DIGITS.test(length) &&
    Number(length) <= maxBytes
  ) {
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
      const { done, value } = await (signal ? readUnlessAborted(reader, signal) : reader.read());
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

/** What {@link readUnlessAborted} needs of a stream reader (Bun's and Node's types differ). */
interface ChunkReader<R> {
  read(): Promise<R>;
  cancel(reason?: unknown): Promise<void>;
}

/** The next chunk, or the signal's reason once it aborts (the reader then cancelled, unawaited). */
function readUnlessAborted<R>(reader: ChunkReader<R>, signal: AbortSignal): Promise<R> {
  const cancel = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  if (signal.aborted) {
    cancel();
    return Promise.reject(signal.reason);
  }
  return untilAborted(reader.read(), signal, () => signal.reason, cancel);
}

function isEncoded(headers: Headers): boolean {
  const encoding = headers.get("content-encoding");
  return encoding !== null && encoding.trim().toLowerCase() !== "identity";
}
