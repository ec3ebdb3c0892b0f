import { type Artifact, NONE, stringAt } from "../artifact/index.ts";
import { compileFilter, type Accept } from "./filter.ts";
import { clampK } from "./scratch.ts";
import type { ItemFilter, RecommendedItem } from "./types.ts";

const categoryIndexes = new WeakMap<Artifact, Map<string, number>>();

/** Index of the top-level category named `name` (case-insensitive), or -1. */
export function categoryIndex(artifact: Artifact, name: string): number {
  let map = categoryIndexes.get(artifact);
  if (!map) {
    map = new Map();
    const names = artifact.categories.names;
    for (let c = 0; c < names.offsets.length - 1; c++) map.set(stringAt(names, c).toLowerCase(), c);
    categoryIndexes.set(artifact, map);
  }
  return map.get(name.trim().toLowerCase()) ?? -1;
}

export interface PopularOptions {
  category?: string;
  k?: number;
  filter?: ItemFilter;
}

/** Most-interacted items overall or in a category (top-level name or path prefix), filtered. */
export function popularItems(artifact: Artifact, options: PopularOptions = {}): RecommendedItem[] {
  const k = clampK(options.k);
  const category = options.category?.trim() || options.filter?.category?.trim();
  const accept = compileFilter(artifact, { ...options.filter, category });
  const out: RecommendedItem[] = [];
  appendPopular(artifact, out, k, accept, undefined, category ? categoryIndex(artifact, category) : -1, category);
  return out;
}

/**
 * Appends popular items passing `accept` (and not in `taken`) until `out` holds k.
 * Uses the category's own list when `categoryIdx` names one, else scans the overall order.
 */
export function appendPopular(
  artifact: Artifact,
  out: RecommendedItem[],
  k: number,
  accept: Accept,
  taken: Uint8Array | undefined,
  categoryIdx: number,
  categoryLabel?: string,
): void {
  const { popular, itemInteractions } = artifact;
  let list: Uint32Array;
  if (categoryIdx >= 0) list = popular.byCategoryIds.subarray(popular.byCategoryPtr[categoryIdx], popular.byCategoryPtr[categoryIdx + 1]);
  else list = popular.overall;
  const fixedReason = categoryLabel ? `popular in ${categoryIdx >= 0 ? stringAt(artifact.categories.names, categoryIdx) : categoryLabel}` : undefined;
  for (let p = 0; p < list.length && out.length < k; p++) {
    const item = list[p];
    if (taken && taken[item]) continue;
    if (!accept(item)) continue;
    if (taken) taken[item] = 1;
    out.push({ index: item, score: itemInteractions[item], reason: fixedReason ?? popularReason(artifact, item) });
  }
}

function popularReason(artifact: Artifact, item: number): string {
  const c = artifact.items.topCategory[item];
  return c === NONE ? "popular" : `popular in ${stringAt(artifact.categories.names, c)}`;
}
