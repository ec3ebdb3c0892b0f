/**
 * A small fingerprint of a catalogue's item ids (the k smallest of their 32-bit hashes), stored
 * in the artifact header so `edgerec gate` can tell how much two catalogues overlap from the
 * headers alone (the published version's `current` pointer or header, never its whole id list).
 */
export const SKETCH_SIZE = 256;

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so the low values are spread evenly. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The sketch: the SKETCH_SIZE smallest distinct hashes, ascending. */
export function catalogSketch(ids: Iterable<string>, size = SKETCH_SIZE): number[] {
  const hashes = new Set<number>();
  for (const id of ids) hashes.add(idHash(id));
  return [...hashes].sort((a, b) => a - b).slice(0, size);
}

/**
 * Estimated share of item ids two catalogues have in common, from their sketches and sizes:
 * the Jaccard index from the union's smallest hashes, turned into the shared count, then
 * divided by each side's size. Returns the smaller of the two shares (both must overlap).
 */
export function catalogOverlap(a: { sketch: number[]; items: number }, b: { sketch: number[]; items: number }): { shared: number; ofA: number; ofB: number; share: number } {
  // Sketches shorter than SKETCH_SIZE hold every hash of their catalogue: then the whole union counts.
  const complete = a.sketch.length < SKETCH_SIZE && b.sketch.length < SKETCH_SIZE;
  const inA = new Set(a.sketch);
  const inB = new Set(b.sketch);
  const union = [...new Set([...a.sketch, ...b.sketch])].sort((x, y) => x - y).slice(0, complete ? undefined : SKETCH_SIZE);
  // A union hash above either sketch's largest kept value cannot be judged for that side.
  const maxA = a.sketch.length < SKETCH_SIZE ? Infinity : a.sketch[a.sketch.length - 1];
  const maxB = b.sketch.length < SKETCH_SIZE ? Infinity : b.sketch[b.sketch.length - 1];
  let both = 0;
  let counted = 0;
  for (const h of union) {
    if (h > maxA || h > maxB) break;
    counted++;
    if (inA.has(h) && inB.has(h)) both++;
  }
  const jaccard = counted === 0 ? 0 : both / counted;
  const shared = Math.round((jaccard * (a.items + b.items)) / (1 + jaccard));
  const ofA = a.items === 0 ? 0 : Math.min(1, shared / a.items);
  const ofB = b.items === 0 ? 0 : Math.min(1, shared / b.items);
  return { shared, ofA, ofB, share: Math.min(ofA, ofB) };
}
