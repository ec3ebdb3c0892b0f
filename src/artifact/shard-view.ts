/**
 * A small Artifact assembled from the parts of a sharded artifact (shard-parts.ts) for one query:
 * the items it is about, with their neighbour rows, then every item those rows, the user's
 * history and top-N, and the popularity heads name, each once, over view-local indexes. The
 * recommenders and routes then run on it exactly as on a single artifact. Two steps, so the
 * caller can fetch the parts in between: planView needs only the parts of the items with rows
 * (and the head), assembleView every part the plan names.
 */
import type { Artifact } from "./artifact.ts";
import type { ArtifactHeader } from "./header.ts";
import { type NeighbourLists, NONE } from "./neighbour-rows.ts";
import { type StringTable, stringTable } from "./string-table.ts";
import type { QuantizedVectors } from "./vectors.ts";
import type { ItemPart, PartHead, UserPart } from "./shard-parts.ts";

/** Popular items a similar-items, user or basket view carries for topping up (overall, and of the item's category). */
export const VIEW_POPULAR_HEAD = 20;

/** The item part holding global item g, given the manifest's `itemStarts` (binary search). */
export function itemPartIndex(starts: Uint32Array, g: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= g) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a global item lives: its part and row there. */
export type ItemAt = (g: number) => { part: ItemPart; local: number };

export interface ViewQuery {
  /** Items whose neighbour rows the view carries (the similar item, a basket, a history). */
  rows: readonly number[];
  /** Further items the view must name (a user's history and top-N). */
  named?: ArrayLike<number>;
  /** Leading entries of the overall popular list to include. */
  popularOverall: number;
  /** Leading entries of each category's popular list to include (by category index). */
  popularByCategory: (category: number) => number;
}

export interface ViewPlan {
  /** Global item indexes of the view, its local order; the first `owned` carry rows. */
  order: number[];
  owned: number;
  local: Map<number, number>;
  /** Counts of each category's popular list taken (so assembleView repeats the plan exactly). */
  categoryHeads: Int32Array;
  overallHead: number;
}

/**
 * The global items a view of `query` holds; `rowsAt` is asked only for the query's `rows`.
 * `skip` leaves items out (those of a shard that could not be read), rows included.
 */
export function planView(query: ViewQuery, head: PartHead, rowsAt: ItemAt, skip?: (g: number) => boolean): ViewPlan {
  const local = new Map<number, number>();
  const order: number[] = [];
  const add = (g: number) => {
    if (g === NONE || local.has(g) || skip?.(g)) return;
    local.set(g, order.length);
    order.push(g);
  };
  for (const g of query.rows) add(g);
  const owned = order.length;
  for (const g of order.slice(0, owned)) {
    const { part, local: l } = rowsAt(g);
    for (const lists of [part.neighbours, part.contentNeighbours, part.together]) {
      if (!lists) continue;
      for (let p = lists.ptr![l]; p < lists.ptr![l + 1]; p++) add(lists.ids[p]);
    }
  }
  if (query.named) for (let i = 0; i < query.named.length; i++) add(query.named[i]);
  const popular = head.popular;
  const overallHead = Math.min(query.popularOverall, popular.overall.length);
  for (let p = 0; p < overallHead; p++) add(popular.overall[p]);
  const categories = popular.byCategoryPtr.length - 1;
  const categoryHeads = new Int32Array(categories);
  for (let c = 0; c < categories; c++) {
    const start = popular.byCategoryPtr[c];
    const take = Math.min(Math.max(0, query.popularByCategory(c)), popular.byCategoryPtr[c + 1] - start);
    categoryHeads[c] = take;
    for (let p = start; p < start + take; p++) add(popular.byCategoryIds[p]);
  }
  return { order, owned, local, categoryHeads, overallHead };
}

/**
 * The view as an Artifact: `itemAt` must resolve every item of the plan (their parts resident).
 * `user` adds that one user (index 0 of the view) with its history, top-N and vector.
 */
export function assembleView(header: ArtifactHeader, head: PartHead, plan: ViewPlan, itemAt: ItemAt, user?: { part: UserPart; local: number }, withExtra = false): Artifact {
  const { order, owned, local } = plan;
  const m = order.length;
  const parts = new Array<ItemPart>(m);
  const rows = new Uint32Array(m);
  for (let l = 0; l < m; l++) {
    const at = itemAt(order[l]);
    parts[l] = at.part;
    rows[l] = at.local;
  }
  const map = (g: number) => local.get(g) ?? NONE;
  // Items a plan left out (skip) are dropped from every list that names them.
  const mapAll = (gs: ArrayLike<number>) => Uint32Array.from(Array.prototype.filter.call(gs, (g: number) => local.has(g)) as number[], map);
  const strings = (pick: (p: ItemPart) => StringTable) => gatherStrings(parts, rows, pick);
  const first = parts[0];
  const items: Artifact["items"] = {
    ids: strings((p) => p.items.ids),
    titles: strings((p) => p.items.titles),
    brands: strings((p) => p.items.brands),
    categoryPaths: strings((p) => p.items.categoryPaths),
    imageUrls: strings((p) => p.items.imageUrls),
    urls: strings((p) => p.items.urls),
    prices: Float32Array.from(rows, (r, l) => parts[l].items.prices[r]),
    topCategory: Uint32Array.from(rows, (r, l) => parts[l].items.topCategory[r]),
  };
  const popular = head.popular;
  const byCategoryPtr = new Uint32Array(plan.categoryHeads.length + 1);
  const byCategory: number[] = [];
  for (let c = 0; c < plan.categoryHeads.length; c++) {
    const start = popular.byCategoryPtr[c];
    for (let p = start; p < start + plan.categoryHeads[c]; p++) if (local.has(popular.byCategoryIds[p])) byCategory.push(map(popular.byCategoryIds[p]));
    byCategoryPtr[c + 1] = byCategory.length;
  }
  const view: Artifact = {
    header: { ...header, counts: { items: m, users: user ? 1 : 0, categories: header.counts.categories } },
    items,
    categories: head.categories,
    neighbours: ownedRows(parts, rows, owned, (p) => p.neighbours, map, first?.neighbours.k ?? 0),
    contentNeighbours: ownedRows(parts, rows, owned, (p) => p.contentNeighbours, map, first?.contentNeighbours.k ?? 0),
    itemInteractions: Uint32Array.from(rows, (r, l) => parts[l].itemInteractions[r]),
    popular: { overall: mapAll(popular.overall.subarray(0, plan.overallHead)), byCategoryPtr, byCategoryIds: Uint32Array.from(byCategory) },
    users: user ? oneUser(user.part, user.local, mapAll) : { ids: stringTable([], true), historyPtr: new Uint32Array(1), historyIds: new Uint32Array(0) },
  };
  if (first?.together) view.together = ownedRows(parts, rows, owned, (p) => p.together!, map, first.together.k);
  if (first?.itemVectors) view.itemVectors = gatherVectors(parts.map((p) => p.itemVectors!), rows);
  if (first?.itemBiases) view.itemBiases = Float32Array.from(rows, (r, l) => parts[l].itemBiases![r]);
  if (withExtra && head.extra) view.extra = head.extra;
  return view;
}

/** Row r of each part's table, in view order, as one table. */
function gatherStrings(parts: ItemPart[], rows: Uint32Array, pick: (p: ItemPart) => StringTable): StringTable {
  const m = rows.length;
  const offsets = new Uint32Array(m + 1);
  for (let l = 0; l < m; l++) {
    const t = pick(parts[l]);
    offsets[l + 1] = offsets[l] + t.offsets[rows[l] + 1] - t.offsets[rows[l]];
  }
  const data = new Uint8Array(offsets[m]);
  for (let l = 0; l < m; l++) {
    const t = pick(parts[l]);
    data.set(t.data.subarray(t.offsets[rows[l]], t.offsets[rows[l] + 1]), offsets[l]);
  }
  return { data, offsets };
}

/** The first `owned` view items' rows (ids mapped to view indexes), the rest empty; sparse layout. */
function ownedRows(parts: ItemPart[], rows: Uint32Array, owned: number, pick: (p: ItemPart) => NeighbourLists, map: (g: number) => number, k: number): NeighbourLists {
  const m = rows.length;
  const ptr = new Uint32Array(m + 1);
  const lo = new Float32Array(m);
  const hi = new Float32Array(m);
  let total = 0;
  for (let l = 0; l < owned; l++) {
    const lists = pick(parts[l]);
    total += lists.ptr![rows[l] + 1] - lists.ptr![rows[l]];
  }
  const ids = new Uint32Array(total);
  const quantized = new Uint8Array(total);
  let w = 0;
  for (let l = 0; l < m; l++) {
    if (l < owned) {
      const lists = pick(parts[l]);
      const r = rows[l];
      for (let p = lists.ptr![r]; p < lists.ptr![r + 1]; p++) {
        const to = map(lists.ids[p]);
        if (to === NONE) continue;
        ids[w] = to;
        quantized[w++] = lists.quantized[p];
      }
      lo[l] = lists.lo[r];
      hi[l] = lists.hi[r];
    }
    ptr[l + 1] = w;
  }
  return { k, ptr, ids: ids.subarray(0, w), quantized: quantized.subarray(0, w), lo, hi };
}

function gatherVectors(sources: QuantizedVectors[], rows: Uint32Array): QuantizedVectors {
  const { dim, encoding } = sources[0];
  const m = rows.length;
  if (encoding === "int8") {
    const int8 = new Int8Array(m * dim);
    const scale = new Float32Array(m);
    for (let l = 0; l < m; l++) {
      const v = sources[l];
      int8.set(v.int8!.subarray(rows[l] * dim, rows[l] * dim + dim), l * dim);
      scale[l] = v.scale![rows[l]];
    }
    return { dim, encoding, int8, scale };
  }
  const float16 = new Uint16Array(m * dim);
  for (let l = 0; l < m; l++) float16.set(sources[l].float16!.subarray(rows[l] * dim, rows[l] * dim + dim), l * dim);
  return { dim, encoding, float16 };
}

/** User `x` of `part` as the view's only user, its items mapped to view indexes. */
function oneUser(part: UserPart, x: number, mapAll: (gs: ArrayLike<number>) => Uint32Array): Artifact["users"] {
  const u = part.users;
  const span = (ptr: Uint32Array, ids: Uint32Array) => mapAll(ids.subarray(ptr[x], ptr[x + 1]));
  const historyIds = span(u.historyPtr, u.historyIds);
  const out: Artifact["users"] = {
    ids: gatherUserId(u.ids, x),
    historyPtr: Uint32Array.of(0, historyIds.length),
    historyIds,
  };
  if (u.topIds && u.topPtr) {
    out.topIds = span(u.topPtr, u.topIds);
    out.topPtr = Uint32Array.of(0, out.topIds.length);
  }
  if (u.vectors) out.vectors = gatherVectors([u.vectors], Uint32Array.of(x));
  if (u.biases) out.biases = Float32Array.of(u.biases[x]);
  return out;
}

function gatherUserId(ids: StringTable, x: number): StringTable {
  const data = ids.data.slice(ids.offsets[x], ids.offsets[x + 1]);
  return { data, offsets: Uint32Array.of(0, data.length), sorted: Uint32Array.of(0) };
}

/** The history and top-N items of user `x` (global indexes) a user view must name. */
export function userItems(part: UserPart, x: number): { history: Uint32Array; top: Uint32Array } {
  const u = part.users;
  return {
    history: u.historyIds.subarray(u.historyPtr[x], u.historyPtr[x + 1]),
    top: u.topIds && u.topPtr ? u.topIds.subarray(u.topPtr[x], u.topPtr[x + 1]) : new Uint32Array(0),
  };
}
