/**
 * Reads a JSON request body with a hard size limit: checks Content-Length first, then
 * counts the bytes actually streamed (a client can lie or omit the header). Oversize →
 * 413, malformed → 400; the parsed value is handed to the zod validator unchanged.
 */
import type { Context, Next } from "hono";
import { configOf, type Env } from "../config.ts";
import { ProblemError } from "./problem.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

export const tooLarge = (limit: number) =>
  new ProblemError(413, "body-too-large", "Request body too large", `The request body exceeds ${limit} bytes; send fewer items or pairs.`);

export async function readJsonBody(c: Context<{ Bindings: Env; Variables: { jsonBody: unknown } }>, next: Next): Promise<void> {
  const limit = configOf(c.env ?? {}).maxBodyBytes;
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.-]+\+)?json\b/i.test(type)) {
    throw new ProblemError(415, "unsupported-media-type", "Unsupported media type", "Send the body as JSON with `Content-Type: application/json`.");
  }
  const body = c.req.raw.body;
  if (!body) throw new ProblemError(400, "malformed-json", "Malformed JSON", "The request body is empty; send a JSON object.");
  let bytes: Uint8Array;
  if (declared !== undefined && /^\d+$/.test(declared)) {
    // Declared and within the limit: one read (the fast path), then the actual size is checked too.
    bytes = new Uint8Array(await c.req.raw.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(limit);
  } else {
    bytes = await readLimited(body, limit);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ProblemError(400, "malformed-json", "Malformed JSON", "The request body is not valid UTF-8 JSON.");
  }
  c.set("jsonBody", parsed);
  await next();
}

/**
 * Past this many bytes an oversized upload is cut off rather than drained (see readLimited).
 * Cloudflare itself refuses bodies over 100 MB, so a client cannot make a worker drain forever.
 */
const DRAIN_LIMIT = 32 * 1024 * 1024;

/**
 * Streams a body of unknown length, keeping nothing past the limit (413). The rest of an oversized
 * body is read and discarded, up to DRAIN_LIMIT, before answering: cancelling a request body
 * mid-upload makes a proxy in front of the worker (wrangler dev's) drop the connection and
 * answer 503 instead of the 413.
 */
export async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await discardRest(reader, size);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : concat(chunks, size);
}

async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number): Promise<void> {
  try {
    while (seen <= DRAIN_LIMIT) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to drain.
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
