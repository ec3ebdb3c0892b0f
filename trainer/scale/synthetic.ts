/**
 * A seeded synthetic catalogue for scale runs (a million items, tens of millions of
 * interactions), generated user by user straight into typed arrays: no per-row objects,
 * no text files, so generating 20M interactions costs the CSR arrays and a few seconds.
 *
 * Shape: items sit in `leafCategories` contiguous blocks (leaf c under top-level c % topCategories);
 * each shopper has two leaf categories they like (the second in the same top-level one) and
 * picks head-heavy items inside them, plus some globally popular items. That gives the
 * factorisation model real structure to learn and the neighbour lists something to find.
 */
import type { CsrMatrix } from "../data/matrix.ts";
import { createRng, type Rng } from "../util/rng.ts";

export interface ScaleSpec {
  items: number;
  interactions: number;
  /** Default: interactions / 20 (about 20 interactions per shopper). */
  users?: number;
  /** Default: max(10, items / 1000). */
  leafCategories?: number;
  topCategories?: number;
  seed: number;
}

export interface SyntheticCatalogue {
  nItems: number;
  nUsers: number;
  leafCategories: number;
  topCategories: number;
  /** Leaf category of each item. */
  itemLeaf: Int32Array;
  /** users × items, weight 1, columns sorted within a row, no duplicates. */
  interactions: CsrMatrix;
  /** items × (leafCategories + topCategories) one-hot metadata features. */
  itemFeatures: CsrMatrix;
  /** Interaction count per item. */
  itemCounts: Int32Array;
}

/** Display metadata for item i, derived from its index (nothing stored per item). */
export function syntheticTitle(i: number, marker = ""): string {
  return `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i}${marker}`;
}
export function syntheticItemId(i: number): string {
  return `p${i.toString(36).padStart(4, "0")}`;
}
export function syntheticUserId(u: number): string {
  return `c${u.toString(36).padStart(4, "0")}`;
}
export function leafName(c: number, topCategories: number): string {
  return `${topName(c % topCategories)} > Aisle ${c}`;
}
export function topName(t: number): string {
  return `Department ${t}`;
}

const ADJECTIVES = ["Organic", "Crunchy", "Smoked", "Sparkling", "Roasted", "Fresh", "Spicy", "Sweet", "Classic", "Mini", "Family", "Wild"];
const NOUNS = ["Oat Milk", "Granola", "Coffee Beans", "Olive Oil", "Tea", "Crackers", "Salsa", "Honey", "Pasta", "Chocolate", "Rice", "Soup", "Almonds"];

/** First item index of each leaf block (length leaves + 1). */
function leafStarts(nItems: number, leaves: number): Int32Array {
  const starts = new Int32Array(leaves + 1);
  for (let c = 0; c <= leaves; c++) starts[c] = Math.floor((c * nItems) / leaves);
  return starts;
}

/** Row lengths: 1 + a geometric-like tail, capped, adjusted so they sum exactly to `total`. */
function rowLengths(nUsers: number, total: number, cap: number, rng: Rng): Int32Array {
  const mean = total / nUsers;
  const lengths = new Int32Array(nUsers);
  let sum = 0;
  for (let u = 0; u < nUsers; u++) {
    const len = Math.min(cap, Math.max(1, Math.round(-Math.log(1 - rng.next()) * mean)));
    lengths[u] = len;
    sum += len;
  }
  // Nudge random rows up or down until the total is exact.
  while (sum !== total) {
    const u = rng.int(nUsers);
    if (sum < total && lengths[u] < cap) {
      lengths[u]++;
      sum++;
    } else if (sum > total && lengths[u] > 1) {
      lengths[u]--;
      sum--;
    }
  }
  return lengths;
}

export function generateSynthetic(spec: ScaleSpec, onProgress?: (usersDone: number, nUsers: number) => void): SyntheticCatalogue {
  const nItems = spec.items;
  const total = spec.interactions;
  const nUsers = spec.users ?? Math.max(1, Math.round(total / 20));
  const leaves = spec.leafCategories ?? Math.max(10, Math.round(nItems / 1000));
  const tops = Math.min(leaves, spec.topCategories ?? 20);
  if (!(nItems >= 2 && total >= nUsers && total <= nUsers * Math.floor(nItems / 2))) {
    throw new RangeError(`synthetic catalogue: need items >= 2 and users <= interactions <= users * items/2 (items ${nItems}, users ${nUsers}, interactions ${total})`);
  }
  const rng = createRng(spec.seed);
  const starts = leafStarts(nItems, leaves);
  const itemLeaf = new Int32Array(nItems);
  for (let c = 0; c < leaves; c++) itemLeaf.fill(c, starts[c], starts[c + 1]);

  const cap = Math.max(1, Math.min(500, Math.floor(nItems / 2)));
  const lengths = rowLengths(nUsers, total, cap, rng);
  const indptr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) indptr[u + 1] = indptr[u] + lengths[u];
  const indices = new Int32Array(total);
  const itemCounts = new Int32Array(nItems);

  for (let u = 0; u < nUsers; u++) {
    const a = rng.int(leaves);
    const b = (a + tops * (1 + rng.int(3))) % leaves;
    const start = indptr[u];
    const end = indptr[u + 1];
    for (let p = start; p < end; p++) {
      let item = drawItem(rng, a, b, starts, nItems);
      // Resample duplicates a few times, then walk to the next free index (always terminates: len <= items/2).
      for (let tries = 0; contains(indices, start, p, item); tries++) {
        item = tries < 8 ? drawItem(rng, a, b, starts, nItems) : (item + 1) % nItems;
      }
      indices[p] = item;
      itemCounts[item]++;
    }
    indices.subarray(start, end).sort();
    if (onProgress && (u & 0xffff) === 0) onProgress(u, nUsers);
  }
  onProgress?.(nUsers, nUsers);

  const data = new Float32Array(total).fill(1);
  const nFeatures = leaves + tops;
  const fIndptr = new Int32Array(nItems + 1);
  const fIndices = new Int32Array(nItems * 2);
  for (let i = 0; i < nItems; i++) {
    fIndptr[i + 1] = 2 * (i + 1);
    fIndices[2 * i] = itemLeaf[i];
    fIndices[2 * i + 1] = leaves + (itemLeaf[i] % tops);
  }
  return {
    nItems,
    nUsers,
    leafCategories: leaves,
    topCategories: tops,
    itemLeaf,
    interactions: { nRows: nUsers, nCols: nItems, indptr, indices, data },
    itemFeatures: { nRows: nItems, nCols: nFeatures, indptr: fIndptr, indices: fIndices, data: new Float32Array(nItems * 2).fill(1) },
    itemCounts,
  };
}

function drawItem(rng: Rng, a: number, b: number, starts: Int32Array, nItems: number): number {
  const r = rng.next();
  if (r < 0.2) return Math.floor(nItems * rng.next() ** 3); // globally popular head
  const c = r < 0.65 ? a : b;
  const lo = starts[c];
  const size = starts[c + 1] - lo;
  return lo + Math.floor(size * rng.next() ** 2); // head-heavy within the leaf
}

function contains(arr: Int32Array, from: number, to: number, value: number): boolean {
  for (let p = from; p < to; p++) if (arr[p] === value) return true;
  return false;
}
