/**
 * Which id shard holds an item or user id: FNV-1a 32 over the id's UTF-8 bytes, modulo the
 * number of id shards. The trainer (which writes id shards) and the worker (which routes a
 * lookup to one) both call this, so they can never disagree. Stable across releases: changing
 * it would need a new manifest format version.
 */

/** FNV-1a 32 of the UTF-8 encoding of `id`, computed from its UTF-16 units without allocating. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (let i = 0; i < id.length; i++) {
    let c = id.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < id.length) {
      const next = id.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        byte(0xf0 | (c >> 18));
        byte(0x80 | ((c >> 12) & 0x3f));
        byte(0x80 | ((c >> 6) & 0x3f));
        byte(0x80 | (c & 0x3f));
        continue;
      }
    }
    // A lone surrogate encodes as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    byte(0xe0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3f));
    byte(0x80 | (c & 0x3f));
  }
  return h >>> 0;
}

/** The id shard bucket of `id` among `buckets` (>= 1). */
export function idBucket(id: string, buckets: number): number {
  return idHash(id) % buckets;
}
