import { type Artifact, forEachNeighbour, stringAt } from "../artifact/index.ts";
import { compileFilter, type Accept } from "./filter.ts";
import { BLOCKED, CANDIDATE, HISTORY } from "./candidates.ts";
import { appendPopular } from "./popular.ts";
import { clampK, type Scratch, scratchFor } from "./scratch.ts";
import { servingNeighbours } from "./similar.ts";
import type { ItemFilter, RecommendedItem } from "./types.ts";

/** Weight of the item viewed one step earlier, relative to the next one (recency decay). */
export const DEFAULT_DECAY = 0.9;

export interface BasketOptions {
  k?: number;
  /** Item indexes never to return (besides the basket itself). */
  exclude?: ReadonlySet<number>;
  filter?: ItemFilter;
  /** Recency weight per step back in the history (1 = all items equal). */
  decay?: number;
}

/**
 * Recommendations for a basket or session (`items` oldest first): the neighbour lists of its
 * items summed with recency weights, never returning the basket itself; topped up with popular
 * items when filters leave fewer than k.
 */
export function basketRecommendations(artifact: Artifact, items: ArrayLike<number>, options: BasketOptions = {}): RecommendedItem[] {
  const k = clampK(options.k);
  const exclude = options.exclude;
  const accept = compileFilter(artifact, options.filter);
  const s = scratchFor(artifact);
  const blocked = (item: number) => (exclude !== undefined && exclude.has(item)) || !accept(item);
  // Only the latest items score; the older ones are still never recommended.
  const scored = latestItems(artifact, items);
  const out = aggregateNeighbours(artifact, s, scored, k, options.decay ?? servingDecay(artifact), (i) => blocked(i) || isIn(items, i, scored.length));
  finishWithPopular(artifact, s, items, out, k, (i) => !blocked(i) && !isIn(items, i, scored.length));
  return out;
}

/** The recency decay to score histories with: the order-aware model's own (artifact header), else DEFAULT_DECAY. */
export function servingDecay(artifact: Artifact): number {
  return artifact.header.sequence?.decay ?? DEFAULT_DECAY;
}

/** The part of a history (oldest first) an order-aware model scores: its latest `historyLength` items; all of it otherwise. */
export function latestItems<T extends ArrayLike<number>>(artifact: Artifact, items: T): ArrayLike<number> {
  const max = artifact.header.sequence?.historyLength;
  if (max === undefined || items.length <= max) return items;
  return Array.prototype.slice.call(items, items.length - max) as number[];
}

/** Whether `item` is among the history items older than the scored window (the first length − scored). */
function isIn(items: ArrayLike<number>, item: number, scored: number): boolean {
  for (let t = 0, end = items.length - scored; t < end; t++) if (items[t] === item) return true;
  return false;
}

/**
 * Core of basket and history recommendations: scores every neighbour of the history items,
 * returns the k best with a reason naming the history item that contributed most.
 * The sums live in the scratch's small CandidateTable (a few KB, cache-resident) rather than in
 * catalogue-sized arrays. Leaves the history items marked in `s.mark` (the caller clears them
 * via finishWithPopular) and the results marked as taken for the popular top-up.
 */
export function aggregateNeighbours(
  artifact: Artifact,
  s: Scratch,
  history: ArrayLike<number>,
  k: number,
  decay: number,
  blocked: (item: number) => boolean,
): RecommendedItem[] {
  const { mark } = s;
  const n = history.length;
  const rowMax = Math.max(artifact.neighbours.k, artifact.contentNeighbours.k);
  const table = s.candidates.reset(Math.min(n * (rowMax + 1), artifact.header.counts.items));
  for (let t = 0; t < n; t++) {
    const h = history[t];
    mark[h] = 2;
    if (table.find(h) < 0) table.add(h, HISTORY);
  }
  const { state, scores, best, contributor } = table;
  // One callback per request (not per row): it reads the row's history item and weight from here.
  let h = 0;
  let weight = 1;
  const add = (item: number, score: number) => {
    let slot = table.find(item);
    if (slot >= 0 && state[slot] !== CANDIDATE) return;
    const contribution = weight * score;
    if (slot < 0) {
      if (blocked(item)) {
        table.add(item, BLOCKED);
        return;
      }
      slot = table.add(item, CANDIDATE);
      scores[slot] = contribution;
      best[slot] = contribution;
      contributor[slot] = h;
    } else {
      scores[slot] += contribution;
      if (contribution > best[slot]) {
        best[slot] = contribution;
        contributor[slot] = h;
      }
    }
  };
  for (let t = n - 1; t >= 0; t--, weight *= decay) {
    h = history[t];
    const lists = servingNeighbours(artifact, h);
    if (lists) forEachNeighbour(lists, h, add);
  }
  const top = s.top;
  top.reset(k);
  const items = table.items;
  for (let slot = 0; slot < table.count; slot++) if (state[slot] === CANDIDATE) top.offer(items[slot], scores[slot]);
  const count = top.drain(s.outIds, s.outScores);
  const out: RecommendedItem[] = new Array(count);
  // One reason string per contributing history item, kept on that item's slot.
  const reasons = s.reasons;
  for (let r = 0; r < count; r++) {
    const item = s.outIds[r];
    const h = contributor[table.find(item)];
    const hSlot = table.find(h);
    let reason = reasons[hSlot];
    if (reason === undefined) {
      reason = `similar to ${stringAt(artifact.items.titles, h) || stringAt(artifact.items.ids, h)}`;
      reasons[hSlot] = reason;
    }
    out[r] = { index: item, score: s.outScores[r], reason };
  }
  for (let t = 0; t < n; t++) reasons[table.find(history[t])] = undefined;
  table.clear();
  // Results stay marked as taken for the popular top-up.
  for (let r = 0; r < count; r++) mark[out[r].index] = 1;
  return out;
}

/** Tops `out` up with popular items and clears every mark this request set. */
export function finishWithPopular(artifact: Artifact, s: Scratch, history: ArrayLike<number>, out: RecommendedItem[], k: number, accept: Accept): void {
  if (out.length < k) appendPopular(artifact, out, k, accept, s.mark, -1);
  for (const r of out) s.mark[r.index] = 0;
  for (let t = 0; t < history.length; t++) s.mark[history[t]] = 0;
}
