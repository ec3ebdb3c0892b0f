import { type Artifact, forEachNeighbour, NONE, readVector, stringAt } from "../artifact/index.ts";
import { aggregateNeighbours, finishWithPopular, latestItems, servingDecay } from "./basket.ts";
import { compileFilter } from "./filter.ts";
import { clampK, type Scratch, scratchFor } from "./scratch.ts";
import { servingNeighbours } from "./similar.ts";
import type { ItemFilter, RecommendedItem, UserStrategy } from "./types.ts";
import { dotWith } from "./vectors.ts";

/** Popular items added to the vector strategy's candidates, for users with thin histories. */
const POPULAR_CANDIDATES = 100;

export interface UserOptions {
  k?: number;
  filter?: ItemFilter;
  /** Defaults to the best the artifact supports; see `defaultUserStrategy`. */
  strategy?: UserStrategy;
  /** Vector strategy only: score every item ("all", exact but O(items·dim)) or only the history's neighbours. */
  candidates?: "neighbours" | "all";
  decay?: number;
}

export interface UserResult {
  strategy: UserStrategy;
  items: RecommendedItem[];
}

/**
 * The strategy used when the caller names none. Precomputed lists are the full model's own
 * ranking, so they win when present; vectors re-rank the history's neighbours by the model's
 * score; the history alone (neighbour aggregation) works for every model.
 * (bench/artifact.ts measures all three; see docs/benchmarks.md.)
 */
export function defaultUserStrategy(artifact: Artifact): UserStrategy {
  if (artifact.users.topIds) return "precomputed";
  if (artifact.users.vectors && artifact.itemVectors) return "vectors";
  return "history";
}

/** The user's stored recent items, oldest first (a view). */
export function userHistory(artifact: Artifact, user: number): Uint32Array {
  const { historyPtr, historyIds } = artifact.users;
  return historyIds.subarray(historyPtr[user], historyPtr[user + 1]);
}

/** Recommendations for a known user (index into users.ids); never returns their stored history. */
export function userRecommendations(artifact: Artifact, user: number, options: UserOptions = {}): UserResult {
  const k = clampK(options.k);
  let strategy = options.strategy ?? defaultUserStrategy(artifact);
  if (strategy === "precomputed" && !artifact.users.topIds) strategy = "history";
  if (strategy === "vectors" && !(artifact.users.vectors && artifact.itemVectors)) strategy = "history";
  const accept = compileFilter(artifact, options.filter);
  const blocked = (i: number) => !accept(i);
  const s = scratchFor(artifact);
  const history = userHistory(artifact, user);
  let out: RecommendedItem[];
  if (strategy === "precomputed") {
    out = precomputed(artifact, s, user, history, k, blocked);
    if (out.length < k) {
      // Top up from the history's neighbours, without repeating what is already there.
      const more = aggregateNeighbours(artifact, s, latestItems(artifact, history), k, options.decay ?? servingDecay(artifact), (i) => blocked(i) || s.mark[i] === 1 || s.mark[i] === 2);
      for (const r of more) if (out.length < k) out.push(r);
      for (const r of more) s.mark[r.index] = 1;
    }
  } else if (strategy === "vectors") {
    out = byVectors(artifact, s, user, history, k, blocked, options.candidates ?? "neighbours");
  } else {
    for (let t = 0; t < history.length; t++) s.mark[history[t]] = 2;
    out = aggregateNeighbours(artifact, s, latestItems(artifact, history), k, options.decay ?? servingDecay(artifact), (i) => blocked(i) || s.mark[i] === 2);
  }
  finishWithPopular(artifact, s, history, out, k, accept);
  return { strategy, items: out };
}

function precomputed(artifact: Artifact, s: Scratch, user: number, history: Uint32Array, k: number, blocked: (i: number) => boolean): RecommendedItem[] {
  const { topPtr, topIds } = artifact.users;
  const out: RecommendedItem[] = [];
  for (let t = 0; t < history.length; t++) s.mark[history[t]] = 2;
  const end = topPtr![user + 1];
  for (let p = topPtr![user]; p < end && out.length < k; p++) {
    const item = topIds![p];
    if (s.mark[item] || blocked(item)) continue;
    s.mark[item] = 1;
    out.push({ index: item, score: end - p, reason: "picked for you" });
  }
  for (let t = 0; t < history.length; t++) s.mark[history[t]] = 0;
  return out;
}

function byVectors(
  artifact: Artifact,
  s: Scratch,
  user: number,
  history: Uint32Array,
  k: number,
  blocked: (i: number) => boolean,
  candidates: "neighbours" | "all",
): RecommendedItem[] {
  const itemVectors = artifact.itemVectors!;
  const biases = artifact.itemBiases;
  const query = readVector(artifact.users.vectors!, user, s.vector);
  const { mark, touched, contributor, best } = s;
  for (let t = 0; t < history.length; t++) mark[history[t]] = 2;
  const top = s.top;
  top.reset(k);
  let touchedCount = 0;
  // One callback for the whole request (forEachNeighbour's visitor): the candidate's source item is
  // `fromItem` (NONE for the popular head), its strength a neighbour's quantised score in its row (-1 for popular).
  let fromItem = NONE;
  const consider = (item: number, _score: number, strength: number) => {
    const m = mark[item];
    if (m === 1) {
      if (strength > best[item]) {
        best[item] = strength;
        contributor[item] = fromItem;
      }
      return;
    }
    if (m !== 0) return;
    mark[item] = 1;
    touched[touchedCount++] = item;
    best[item] = strength;
    contributor[item] = fromItem;
  };
  if (candidates === "all") {
    const n = artifact.header.counts.items;
    for (let item = 0; item < n; item++) {
      if (mark[item] || blocked(item)) continue;
      top.offer(item, dotWith(itemVectors, item, query) + (biases ? biases[item] : 0));
    }
  } else {
    for (let t = history.length - 1; t >= 0; t--) {
      const h = history[t];
      const lists = servingNeighbours(artifact, h);
      if (!lists) continue;
      fromItem = h;
      forEachNeighbour(lists, h, consider);
    }
    fromItem = NONE;
    const head = Math.min(POPULAR_CANDIDATES, artifact.popular.overall.length);
    for (let p = 0; p < head; p++) consider(artifact.popular.overall[p], 0, -1);
    for (let p = 0; p < touchedCount; p++) {
      const item = touched[p];
      if (blocked(item)) continue;
      top.offer(item, dotWith(itemVectors, item, query) + (biases ? biases[item] : 0));
    }
  }
  const count = top.drain(s.outIds, s.outScores);
  const out: RecommendedItem[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const item = s.outIds[r];
    const from = candidates === "all" || mark[item] !== 1 ? NONE : contributor[item];
    const reason = from === NONE ? "picked for you" : `similar to ${stringAt(artifact.items.titles, from) || stringAt(artifact.items.ids, from)}`;
    out[r] = { index: item, score: s.outScores[r], reason };
  }
  for (let p = 0; p < touchedCount; p++) mark[touched[p]] = 0;
  for (let r = 0; r < count; r++) mark[out[r].index] = 1;
  return out;
}
