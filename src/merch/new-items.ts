/**
 * Similar items for a product known only from the overlay: its title words, brand and category
 * levels matched against the artifact's content index (idf-weighted overlap), topped up with
 * the popular items of its category, then overall. Used by the similar-items route.
 */
import { contentTokens, indexOfString } from "../artifact/index.ts";
import { CANDIDATE } from "../recommend/candidates.ts";
import { appendPopular, categoryIndex } from "../recommend/popular.ts";
import { scratchFor } from "../recommend/scratch.ts";
import type { RecommendedItem } from "../recommend/types.ts";
import { pathHasLevels } from "./facets.ts";
import type { MerchView } from "./view.ts";

/** The request filters a new product is checked against (routes/context.ts FilterInput). */
export interface FilterInput {
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  exclude?: readonly string[];
  brand?: readonly string[];
}

export interface NewItemResult {
  source: "content" | "popular";
  items: RecommendedItem[];
}

export function newItemSimilar(view: MerchView, entry: number, k: number, accept: (i: number) => boolean): NewItemResult {
  const artifact = view.artifact;
  const e = view.state.entries[entry];
  const title = e.title ?? view.state.ids[entry];
  const category = e.categories?.join(" > ") ?? "";
  const s = scratchFor(artifact);
  const out: RecommendedItem[] = [];
  const index = artifact.contentIndex;
  if (index) {
    const tokens = contentTokens({ title, brand: e.brand ?? "", category });
    let touched = 0;
    const ts: number[] = [];
    for (const token of tokens) {
      const t = indexOfString(index.tokens, token);
      if (t < 0) continue;
      ts.push(t);
      touched += index.ptr[t + 1] - index.ptr[t];
    }
    const table = s.candidates.reset(Math.min(touched + 1, view.n));
    for (const t of ts) {
      const idf = Math.log(1 + index.items / Math.max(1, index.df[t]));
      for (let p = index.ptr[t]; p < index.ptr[t + 1]; p++) {
        const item = index.ids[p];
        let slot = table.find(item);
        if (slot < 0) {
          slot = table.add(item, CANDIDATE);
          table.scores[slot] = 0;
        }
        table.scores[slot] += idf;
      }
    }
    s.top.reset(k);
    for (let slot = 0; slot < table.count; slot++) {
      const item = table.items[slot];
      // Ties (same overlap) go to the more interacted item.
      if (accept(item)) s.top.offer(item, table.scores[slot] + Math.min(artifact.itemInteractions[item], 1e6) * 1e-9);
    }
    table.clear();
    const count = s.top.drain(s.outIds, s.outScores);
    const reason = `similar to ${title}`;
    for (let r = 0; r < count; r++) out.push({ index: s.outIds[r], score: s.outScores[r], reason });
  }
  const source = out.length > 0 ? "content" : "popular";
  for (const r of out) s.mark[r.index] = 1;
  const top = e.categories?.[0];
  const c = top ? categoryIndex(artifact, top) : -1;
  if (out.length < k && c >= 0) appendPopular(artifact, out, k, accept, s.mark, c);
  if (out.length < k) appendPopular(artifact, out, k, accept, s.mark, -1);
  for (const r of out) s.mark[r.index] = 0;
  return { source, items: out };
}

/** Whether new product `entry` passes a request's filters (and is listable at all). */
export function acceptNewEntry(view: MerchView, entry: number, input: FilterInput): boolean {
  if (view.entryBlocked[entry] === 1) return false;
  const e = view.state.entries[entry];
  if (input.exclude?.includes(view.state.ids[entry])) return false;
  if (input.minPrice !== undefined || input.maxPrice !== undefined) {
    const p = e.price;
    if (typeof p !== "number") return false;
    if (input.minPrice !== undefined && p < input.minPrice) return false;
    if (input.maxPrice !== undefined && p > input.maxPrice) return false;
  }
  if (input.category && !pathHasLevels(view.entryPath[entry] ?? "", input.category.trim().toLowerCase())) return false;
  if (input.brand?.length && !input.brand.some((b) => b.trim().toLowerCase() === (e.brand ?? "").trim().toLowerCase())) return false;
  return true;
}
