import { type Artifact, neighbourScore, rowStart, stringAt } from "../artifact/index.ts";
import { compileFilter } from "./filter.ts";
import { clampK } from "./scratch.ts";
import { similarItems } from "./similar.ts";
import type { ItemFilter, RecommendedItem } from "./types.ts";

export interface TogetherResult {
  /** together: partners from shared baskets; similar: none passed, so similar items stand in. */
  source: "together" | "similar";
  items: RecommendedItem[];
}

/** Items bought together with `item`, best lift first, filtered; similar items when it has none. */
export function togetherItems(artifact: Artifact, item: number, options: { k?: number; filter?: ItemFilter } = {}): TogetherResult {
  const k = clampK(options.k);
  const lists = artifact.together;
  const out: RecommendedItem[] = [];
  if (lists?.ptr) {
    const accept = compileFilter(artifact, options.filter);
    const start = rowStart(lists, item);
    const end = lists.ptr[item + 1];
    const reason = `bought with ${stringAt(artifact.items.titles, item) || stringAt(artifact.items.ids, item)}`;
    for (let p = start; p < end && out.length < k; p++) {
      const other = lists.ids[p];
      if (other !== item && accept(other)) out.push({ index: other, score: neighbourScore(lists, item, p - start), reason });
    }
  }
  if (out.length > 0) return { source: "together", items: out };
  return { source: "similar", items: similarItems(artifact, item, options).items };
}
