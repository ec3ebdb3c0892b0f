/** Words too common in product text to say anything about an item. */
const STOPWORDS = new Set(
  "the and for with from this that your you are our its it's not all any can will has have was were but has each more most other some such than too very into over only own same just also per off out use used using one two new best free made make makes natural pack size count".split(" "),
);

/** Lower-cased word tokens of at least 3 characters, letters/digits only, deduplicated, in order. */
export function tokenize(text: string, maxTokens = 64): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  // Strip HTML tags and entities: scraped catalogue text often carries them.
  const clean = text.replace(/<[^>]*>/g, " ").replace(/&[a-z#0-9]+;/gi, " ").toLowerCase();
  for (const m of clean.matchAll(/[\p{L}\p{N}]+/gu)) {
    const t = m[0];
    if (t.length < 3 || STOPWORDS.has(t) || /^\d+$/.test(t) || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    if (out.length >= maxTokens) break;
  }
  return out;
}

/** 32-bit FNV-1a of a string (UTF-16 code units), for feature hashing. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
