/** Neighbour lists (top-K item rows with quantised scores) and the accessors that read their rows. */

/** Padding value of neighbour lists and "no category". */
export const NONE = 0xffffffff;

/**
 * Top-K lists per row. Dense layout (no `ptr`): row i's entries are ids[i*k .. i*k+k),
 * padded with `NONE`. Sparse layout (`ptr` present, used for content neighbours, which only
 * cold items need): row i's entries are ids[ptr[i] .. ptr[i+1]), at most k of them.
 * Read rows through `rowStart`/`rowLength`/`neighbourAt` so either layout works.
 */
export interface NeighbourLists {
  k: number;
  ids: Uint32Array;
  ptr?: Uint32Array;
  /** Scores quantised to 0..255 per row: score = lo[i] + q/255 · (hi[i] − lo[i]). */
  quantized: Uint8Array;
  lo: Float32Array;
  hi: Float32Array;
}

/** Position of row i's first entry in `ids`/`quantized`. */
export function rowStart(lists: NeighbourLists, i: number): number {
  return lists.ptr ? lists.ptr[i] : i * lists.k;
}

/** Number of real (non-padding) entries of row i; padding only ever trails. */
export function rowLength(lists: NeighbourLists, i: number): number {
  if (lists.ptr) return lists.ptr[i + 1] - lists.ptr[i];
  const base = i * lists.k;
  let j = 0;
  while (j < lists.k && lists.ids[base + j] !== NONE) j++;
  return j;
}

/** Neighbour j of row i (its item index), or NONE past the row's end. */
export function neighbourAt(lists: NeighbourLists, i: number, j: number): number {
  if (lists.ptr) return j < lists.ptr[i + 1] - lists.ptr[i] ? lists.ids[lists.ptr[i] + j] : NONE;
  return j < lists.k ? lists.ids[i * lists.k + j] : NONE;
}

/** The dequantised score of neighbour j of row i. */
export function neighbourScore(lists: NeighbourLists, i: number, j: number): number {
  const q = lists.quantized[rowStart(lists, i) + j];
  return lists.lo[i] + (q / 255) * (lists.hi[i] - lists.lo[i]);
}

/**
 * Calls `visit` for each real entry of row i in rank order, with the neighbour's item index,
 * its dequantised score (lo + q · (hi − lo) / 255) and its raw quantised byte q. The scorers
 * that sum many rows (basket, user history) read rows through this one loop; pass a callback
 * made once per request, not one per row, so the hot loop allocates nothing.
 */
export function forEachNeighbour(lists: NeighbourLists, i: number, visit: (item: number, score: number, quantized: number) => void): void {
  const { ids, quantized } = lists;
  const start = rowStart(lists, i);
  const len = lists.ptr ? lists.ptr[i + 1] - start : lists.k;
  const lo = lists.lo[i];
  const step = (lists.hi[i] - lo) / 255;
  for (let j = 0; j < len; j++) {
    const item = ids[start + j];
    if (item === NONE) break;
    const q = quantized[start + j];
    visit(item, lo + q * step, q);
  }
}
