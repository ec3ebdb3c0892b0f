import { CHECKSUM_START_OFFSET } from "./container.ts";

/** workerd's streaming digest (absent in Node, whose WebCrypto has no DigestStream). */
interface DigestStreamLike extends WritableStream<ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
}
type DigestStreamCtor = new (algorithm: string) => DigestStreamLike;

/**
 * Reads an artifact body while hashing it, so `decodeArtifact(bytes, { digest })` need not hash
 * the whole artifact again after it arrived (for a 100k-item artifact that hash is most of the
 * decode). In workerd the SHA-256 runs natively chunk by chunk as the body streams in
 * (crypto.DigestStream); elsewhere it falls back to one WebCrypto digest at the end.
 * `size` (e.g. R2's object.size) lets the bytes land in one buffer without copying chunks twice.
 */
export async function readWithDigest(body: ReadableStream<Uint8Array>, size?: number): Promise<{ bytes: Uint8Array; digest: Uint8Array }> {
  const Ctor = (crypto as unknown as { DigestStream?: DigestStreamCtor }).DigestStream;
  const hasher = Ctor ? new Ctor("SHA-256") : undefined;
  const writer = hasher?.getWriter();
  let buffer = new Uint8Array(size ?? 1 << 20);
  let length = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.length > buffer.length) {
      const grown = new Uint8Array(Math.max(buffer.length * 2, length + value.length));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(value, length);
    if (writer) {
      // The checksum covers bytes from CHECKSUM_START_OFFSET on.
      const skip = Math.max(0, CHECKSUM_START_OFFSET - length);
      if (skip < value.length) await writer.write(value.subarray(skip));
    }
    length += value.length;
  }
  const bytes = length === buffer.length ? buffer : buffer.subarray(0, length);
  let digest: Uint8Array;
  if (writer && hasher) {
    await writer.close();
    digest = new Uint8Array(await hasher.digest);
  } else {
    digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.subarray(Math.min(CHECKSUM_START_OFFSET, bytes.length)) as Uint8Array<ArrayBuffer>));
  }
  return { bytes, digest };
}
