/**
 * Cuts an artifact into the data shards of a sharded build (src/artifact/shard-parts.ts): item
 * parts over ranges of the renumbered items (shard-order.ts) and user parts over ranges of
 * users, each row stored once, every item reference mapped to its new global index.
 */
import {
  type Artifact,
  type ItemPart,
  type NeighbourLists,
  NONE,
  type PartHead,
  type QuantizedVectors,
  type StringTable,
  type UserPart,
} from "../../src/artifact/index.ts";

/** order[new] = old item index, and newOf[old] = new. */
export interface Renumbering {
  order: Uint32Array;
  newOf: Uint32Array;
}

export function renumbering(order: Uint32Array): Renumbering {
  const newOf = new Uint32Array(order.length);
  order.forEach((old, j) => (newOf[old] = j));
  return { order, newOf };
}

const mapIds = (ids: ArrayLike<number>, newOf: Uint32Array) => Uint32Array.from(ids as ArrayLike<number>, (g) => (g === NONE ? NONE : newOf[g]));

/** Items [start, end) of the new numbering as a part; `head` goes into the popular part. */
export function itemPart(a: Artifact, r: Renumbering, start: number, end: number, head?: PartHead): ItemPart {
  const olds = Array.from(r.order.subarray(start, end));
  const part: ItemPart = {
    kind: "items",
    version: a.header.version,
    start,
    items: {
      ids: pickStrings(a.items.ids, olds),
      titles: pickStrings(a.items.titles, olds),
      brands: pickStrings(a.items.brands, olds),
      categoryPaths: pickStrings(a.items.categoryPaths, olds),
      imageUrls: pickStrings(a.items.imageUrls, olds),
      urls: pickStrings(a.items.urls, olds),
      prices: Float32Array.from(olds, (g) => a.items.prices[g]),
      topCategory: Uint32Array.from(olds, (g) => a.items.topCategory[g]),
    },
    itemInteractions: Uint32Array.from(olds, (g) => a.itemInteractions[g]),
    neighbours: pickRows(a.neighbours, olds, r.newOf),
    contentNeighbours: pickRows(a.contentNeighbours, olds, r.newOf),
  };
  if (a.together) part.together = pickRows(a.together, olds, r.newOf);
  if (a.itemVectors) part.itemVectors = pickVectors(a.itemVectors, olds);
  if (a.itemBiases) part.itemBiases = Float32Array.from(olds, (g) => a.itemBiases![g]);
  if (head) part.head = head;
  return part;
}

/** The popular part's extras: category names, the popularity heads (new indexes) and the artifact's extras. */
export function partHead(a: Artifact, r: Renumbering, overall: number, perCategory: number): PartHead {
  const nCat = a.popular.byCategoryPtr.length - 1;
  const byCategoryPtr = new Uint32Array(nCat + 1);
  const byCategory: number[] = [];
  for (let c = 0; c < nCat; c++) {
    const begin = a.popular.byCategoryPtr[c];
    const end = Math.min(a.popular.byCategoryPtr[c + 1], begin + perCategory);
    for (let p = begin; p < end; p++) byCategory.push(r.newOf[a.popular.byCategoryIds[p]]);
    byCategoryPtr[c + 1] = byCategory.length;
  }
  const head: PartHead = {
    categories: a.categories,
    popular: { overall: mapIds(a.popular.overall.subarray(0, overall), r.newOf), byCategoryPtr, byCategoryIds: Uint32Array.from(byCategory) },
  };
  if (a.extra) head.extra = a.extra;
  return head;
}

/** Users [start, end) as a part (users keep their order). */
export function userPart(a: Artifact, r: Renumbering, start: number, end: number): UserPart {
  const u = a.users;
  const xs = Array.from({ length: end - start }, (_, i) => start + i);
  const ptrOf = (ptr: Uint32Array) => Uint32Array.from({ length: xs.length + 1 }, (_, i) => ptr[start + i] - ptr[start]);
  const users: Artifact["users"] = {
    ids: pickStrings(u.ids, xs),
    historyPtr: ptrOf(u.historyPtr),
    historyIds: mapIds(u.historyIds.subarray(u.historyPtr[start], u.historyPtr[end]), r.newOf),
  };
  if (u.topPtr && u.topIds) {
    users.topPtr = ptrOf(u.topPtr);
    users.topIds = mapIds(u.topIds.subarray(u.topPtr[start], u.topPtr[end]), r.newOf);
  }
  if (u.vectors) users.vectors = pickVectors(u.vectors, xs);
  if (u.biases) users.biases = u.biases.slice(start, end);
  return { kind: "users", version: a.header.version, start, users };
}

/** Bytes item g (old index) adds to a part, as encoded (strings, numbers, rows, vector). */
export function itemBytes(a: Artifact, g: number): number {
  const it = a.items;
  let bytes = 12 + 6 * 4;
  for (const t of [it.ids, it.titles, it.brands, it.categoryPaths, it.imageUrls, it.urls]) bytes += t.offsets[g + 1] - t.offsets[g];
  for (const lists of [a.neighbours, a.contentNeighbours, a.together]) if (lists) bytes += 12 + 5 * rowLength(lists, g);
  if (a.itemVectors) bytes += vectorBytes(a.itemVectors);
  if (a.itemBiases) bytes += 4;
  return bytes;
}

/** Bytes user x adds to a part. */
export function userBytes(a: Artifact, x: number): number {
  const u = a.users;
  let bytes = 8 + u.ids.offsets[x + 1] - u.ids.offsets[x] + 4 * (u.historyPtr[x + 1] - u.historyPtr[x]);
  if (u.topPtr) bytes += 4 + 4 * (u.topPtr[x + 1] - u.topPtr[x]);
  if (u.vectors) bytes += vectorBytes(u.vectors);
  if (u.biases) bytes += 4;
  return bytes;
}

function vectorBytes(v: QuantizedVectors): number {
  return v.encoding === "int8" ? v.dim + 4 : 2 * v.dim;
}

function rowLength(lists: NeighbourLists, g: number): number {
  if (lists.ptr) return lists.ptr[g + 1] - lists.ptr[g];
  let e = 0;
  while (e < lists.k && lists.ids[g * lists.k + e] !== NONE) e++;
  return e;
}

/** Rows `olds` copied into a sparse list, ids renumbered. */
function pickRows(lists: NeighbourLists, olds: number[], newOf: Uint32Array): NeighbourLists {
  const ptr = new Uint32Array(olds.length + 1);
  olds.forEach((g, l) => (ptr[l + 1] = ptr[l] + rowLength(lists, g)));
  const ids = new Uint32Array(ptr[olds.length]);
  const quantized = new Uint8Array(ids.length);
  olds.forEach((g, l) => {
    const from = lists.ptr ? lists.ptr[g] : g * lists.k;
    for (let j = 0; j < ptr[l + 1] - ptr[l]; j++) {
      ids[ptr[l] + j] = newOf[lists.ids[from + j]];
      quantized[ptr[l] + j] = lists.quantized[from + j];
    }
  });
  return { k: lists.k, ptr, ids, quantized, lo: Float32Array.from(olds, (g) => lists.lo[g]), hi: Float32Array.from(olds, (g) => lists.hi[g]) };
}

function pickStrings(t: StringTable, rows: number[]): StringTable {
  const offsets = new Uint32Array(rows.length + 1);
  rows.forEach((g, l) => (offsets[l + 1] = offsets[l] + t.offsets[g + 1] - t.offsets[g]));
  const data = new Uint8Array(offsets[rows.length]);
  rows.forEach((g, l) => data.set(t.data.subarray(t.offsets[g], t.offsets[g + 1]), offsets[l]));
  return { data, offsets };
}

function pickVectors(v: QuantizedVectors, rows: number[]): QuantizedVectors {
  const dim = v.dim;
  if (v.encoding === "int8") {
    const int8 = new Int8Array(rows.length * dim);
    const scale = new Float32Array(rows.length);
    rows.forEach((g, l) => {
      int8.set(v.int8!.subarray(g * dim, g * dim + dim), l * dim);
      scale[l] = v.scale![g];
    });
    return { dim, encoding: "int8", int8, scale };
  }
  const float16 = new Uint16Array(rows.length * dim);
  rows.forEach((g, l) => float16.set(v.float16!.subarray(g * dim, g * dim + dim), l * dim));
  return { dim, encoding: "float16", float16 };
}
