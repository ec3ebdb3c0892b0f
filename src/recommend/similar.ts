import { type Artifact, type NeighbourLists, NONE, neighbourScore, rowStart, stringAt } from "../artifact/index.ts";
import { compileFilter, type Accept } from "./filter.ts";
import { appendPopular, categoryIndex } from "./popular.ts";
import { clampK, scratchFor } from "./scratch.ts";
import type { ItemFilter, RecommendedItem, SimilarSource } from "./types.ts";

export interface SimilarOptions {
  k?: number;
  filter?: ItemFilter;
}

export interface SimilarResult {
  /** Where the list came from: the model's neighbours, metadata (cold item), or popularity. */
  source: SimilarSource;
  items: RecommendedItem[];
}

/**
 * Items similar to `item`: its collaborative neighbours when it had interactions, else its
 * content neighbours (a new product), topped up from the other list and then from popular
 * items of its category when filters leave fewer than k.
 */
export function similarItems(artifact: Artifact, item: number, options: SimilarOptions = {}): SimilarResult {
  const k = clampK(options.k);
  const accept = compileFilter(artifact, options.filter);
  const taken = scratchFor(artifact).mark;
  taken[item] = 1;
  const out: RecommendedItem[] = [];
  const source = similarSource(artifact, item);
  const reason = `similar to ${stringAt(artifact.items.titles, item) || stringAt(artifact.items.ids, item)}`;
  if (source !== "popular") {
    const first = source === "collaborative" ? artifact.neighbours : artifact.contentNeighbours;
    const second = source === "collaborative" ? artifact.contentNeighbours : artifact.neighbours;
    appendNeighbours(first, item, out, k, accept, taken, reason);
    if (out.length < k) appendNeighbours(second, item, out, k, accept, taken, reason);
  }
  // Top up from the popular items of the filter's category when it names a top-level one, else of
  // the item's own category (an item's category list cannot help when the filter names another).
  const wanted = options.filter?.category;
  const topUp = wanted ? categoryIndex(artifact, wanted) : categoryOf(artifact, item);
  if (out.length < k && topUp >= 0) appendPopular(artifact, out, k, accept, taken, topUp);
  if (out.length < k) appendPopular(artifact, out, k, accept, taken, -1);
  taken[item] = 0;
  for (const r of out) taken[r.index] = 0;
  return { source, items: out };
}

/** Which list serves `item`: collaborative when it had interactions (or only that list exists). */
export function similarSource(artifact: Artifact, item: number): SimilarSource {
  // The content list is looked at only when needed: a basket asks this for every item, and
  // each list is one more cache miss.
  const collaborative = hasRow(artifact.neighbours, item);
  if (collaborative && artifact.itemInteractions[item] > 0) return "collaborative";
  if (hasRow(artifact.contentNeighbours, item)) return "content";
  if (collaborative) return "collaborative";
  return "popular";
}

/** The list `item`'s neighbours are read from (see similarSource), or undefined when it has none. */
export function servingNeighbours(artifact: Artifact, item: number): NeighbourLists | undefined {
  const source = similarSource(artifact, item);
  if (source === "popular") return undefined;
  return source === "collaborative" ? artifact.neighbours : artifact.contentNeighbours;
}

/** rowLength(lists, i) > 0 without counting: padding only ever trails, so the first entry tells. */
function hasRow(lists: NeighbourLists, i: number): boolean {
  return lists.ptr ? lists.ptr[i + 1] > lists.ptr[i] : lists.k > 0 && lists.ids[i * lists.k] !== NONE;
}

function categoryOf(artifact: Artifact, item: number): number {
  const c = artifact.items.topCategory[item];
  return c === NONE ? -1 : c;
}

function appendNeighbours(
  lists: NeighbourLists,
  item: number,
  out: RecommendedItem[],
  k: number,
  accept: Accept,
  taken: Uint8Array,
  reason: string,
): void {
  const start = rowStart(lists, item);
  const len = lists.ptr ? lists.ptr[item + 1] - start : lists.k;
  for (let j = 0; j < len && out.length < k; j++) {
    const n = lists.ids[start + j];
    if (n === NONE) break;
    if (taken[n] || !accept(n)) continue;
    taken[n] = 1;
    out.push({ index: n, score: neighbourScore(lists, item, j), reason });
  }
}
