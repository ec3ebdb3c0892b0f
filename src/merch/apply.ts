/**
 * Applies the rules in force to one list, after the recommender produced it (over-fetched by
 * `fetchSize` when a rule may drop or re-order items): scoped hide/filter, "not recently
 * bought", boost/bury, caps, diversity (MMR), then pins and new arrivals. Works in module-level
 * typed arrays over list positions: nothing is allocated per candidate.
 */
import { readVector } from "../artifact/index.ts";
import { MAX_K } from "../recommend/scratch.ts";
import type { RecommendedItem } from "../recommend/types.ts";
import { BOOSTED, DROP } from "./effects.ts";
import type { ListPlan } from "./plan.ts";
import type { CompiledRule, ListContext, MerchView } from "./view.ts";

export const PROMOTED = "promoted";
export const NEW_ARRIVAL = "new arrival";

const CAP = MAX_K + 64;
const order = new Int32Array(CAP);
const adjusted = new Float64Array(CAP);
const promoted = new Uint8Array(CAP);
const picked = new Int32Array(CAP);
const maxSim = new Float64Array(CAP);
const norms = new Float64Array(CAP);
const used = new Uint8Array(CAP);
/** MMR: list index of each slot, its score as of `seen` picks, and how many picks it was compared with. */
const slotIndex = new Int32Array(CAP);
const score = new Float64Array(CAP);
const seen = new Int32Array(CAP);
let vectorScratch = new Float32Array(0);
let int8Scratch = new Float64Array(0);
/** Caps: the group of each kept item under each active cap (kept item w, cap c at w * caps + c). */
let capGroups = new Int32Array(0);
const NONE: CompiledRule[] = [];

const DAY_S = 86_400;

/**
 * The final list of at most k items. `plan` is the rules that apply to this list (merch/plan.ts).
 * `accept` says whether an index (artifact item or new product, see MerchView.isNewIndex) passes
 * the request's filters and the blocked mask: pins and new arrivals are checked with it, since
 * they do not come from the recommender.
 */
export function merchandise(view: MerchView | undefined, plan: ListPlan | undefined, items: RecommendedItem[], k: number, ctx: ListContext, accept: (index: number) => boolean): RecommendedItem[] {
  if (!view || !plan || plan.active === 0) return items.length > k ? items.slice(0, k) : items;
  const flags = plan.effects.flags;
  const weights = plan.effects.weight;
  const notBought = ctx.bought !== undefined && ctx.bought.length > 0 ? plan.notBought : NONE;
  const nowS = notBought.length ? Date.now() / 1000 : 0;

  const len = Math.min(items.length, CAP);
  touchCandidates(view, plan, items, len);

  // 1. Drop what scoped rules refuse, weight what boost/bury name (by rank, so any source's scores compare).
  let m = 0;
  for (let p = 0; p < len; p++) {
    const index = items[p].index;
    const f = flags[index];
    if (f & DROP) continue;
    if (notBought.length && recentlyBought(view, notBought, index, ctx, nowS)) continue;
    order[m] = p;
    adjusted[m] = weights ? (1 - p / len) * weights[index] : 1 - p / len;
    promoted[m] = f & BOOSTED;
    m++;
  }
  if (plan.reorder) sortByAdjusted(m);

  // 2. Caps: walk in ranked order, skipping items whose brand/category group is full.
  const kept = plan.caps.length ? applyCaps(items, m, plan.caps) : m;

  // 3. Pins and new arrivals take their positions first, over stand-ins for the picks still to
  //    come (the list's final shape does not depend on which items those are), so that diversity
  //    picks only as many as stay in the list: a greedy pick does not depend on how many follow.
  //    When a pin names a candidate the picks come first, since pinning a listed item moves it.
  const take = Math.min(k, kept);
  const out: RecommendedItem[] = new Array(take);
  for (let r = 0; r < take; r++) out[r] = STAND_INS[r];
  deferred.length = 0;
  const pinsFirst = plan.placements.length > 0 && !placementsAmong(view, plan, items, kept);
  if (pinsFirst) place(view, plan, out, k, ctx, accept);
  let need = 0;
  for (let j = 0; j < out.length; j++) if (out[j].index < 0) need++;
  // A pin placed over the first stand-in takes the first pick's score, even if pins push it out.
  if (deferred.length > 0) need = Math.max(need, 1);

  // 4. Diversity: maximal marginal relevance over what is left, else in ranked order.
  if (plan.lambda >= 0 && kept > 1 && need > 0) mmr(view, items, kept, need, plan.lambda);
  else for (let r = 0; r < need; r++) picked[r] = r;
  for (let j = 0; j < out.length; j++) {
    const r = -1 - out[j].index;
    if (r < 0) continue;
    const slot = picked[r];
    const item = items[order[slot]];
    out[j] = promoted[slot] && item.reason !== PROMOTED ? { index: item.index, score: item.score, reason: PROMOTED } : item;
  }
  if (!pinsFirst) place(view, plan, out, k, ctx, accept);
  // A pin takes the score at the top of the list when it was placed: the first pick's (known
  // only now), or an earlier such pin's (resolved just before, in placing order).
  for (let d = 0; d < deferred.length; d += 2) {
    const source = deferred[d + 1];
    deferred[d].score = source.index < 0 ? items[order[picked[-1 - source.index]]].score : source.score;
  }
  return out;
}

/** Stand-ins for the picks of a list (index -1 - r for pick r), never returned. */
const STAND_INS: RecommendedItem[] = Array.from({ length: CAP }, (_, r) => ({ index: -1 - r, score: NaN, reason: "" }));
/** Pins placed while the top of the list was a stand-in or another such pin: (pin, source) pairs. */
const deferred: RecommendedItem[] = [];

/** Pins and new arrivals, in document order, at their positions (at most k kept). */
function place(view: MerchView, plan: ListPlan, out: RecommendedItem[], k: number, ctx: ListContext, accept: (index: number) => boolean): void {
  for (const c of plan.placements) {
    if (c.pin) {
      const t = c.target;
      if (t < 0 || t === ctx.pageItem || !accept(t)) continue;
      const top = out.length ? out[0] : undefined;
      const pin: RecommendedItem = { index: t, score: top ? top.score : 1, reason: PROMOTED };
      if (top && top.score !== top.score) deferred.push(pin, top);
      insertAt(out, c.position - 1, pin, k);
    } else {
      let placed = 0;
      for (let j = 0; j < view.newEntries.length && placed < c.slots; j++) {
        const index = view.n + view.newEntries[j];
        if (!accept(index) || indexOf(out, index) >= 0) continue;
        insertAt(out, c.position - 1 + placed, { index, score: 0, reason: NEW_ARRIVAL }, k);
        placed++;
      }
    }
  }
}

/** Does a pin or a new arrival name one of the candidates (so that placing it would move a pick)? */
function placementsAmong(view: MerchView, plan: ListPlan, items: RecommendedItem[], kept: number): boolean {
  for (let r = 0; r < kept; r++) {
    const index = items[order[r]].index;
    if (index >= view.n) return true;
    for (const c of plan.placements) if (c.pin && c.target === index) return true;
  }
  return false;
}

/** Where touchCandidates leaves its sum, so the reads are not optimised away. */
let touched = 0;

/**
 * Reads each candidate's entry in every per-item array the steps below use (flags, weight, cap
 * groups, vector) in one loop of independent loads: the candidates are scattered
 * over 100k-entry arrays, and misses issued together overlap, where each step's own first read
 * would wait for its miss alone. Changes nothing.
 */
function touchCandidates(view: MerchView, plan: ListPlan, items: RecommendedItem[], len: number): void {
  const flags = plan.effects.flags;
  const weights = plan.effects.weight;
  const caps = plan.caps;
  const vectors = plan.lambda >= 0 ? view.artifact.itemVectors : undefined;
  const int8 = vectors?.encoding === "int8" ? vectors.int8 : undefined;
  const dim = vectors?.dim ?? 0;
  const n = view.n;
  let touch = 0;
  for (let p = 0; p < len; p++) {
    const index = items[p].index;
    touch += flags[index];
    if (weights) touch += weights[index];
    for (let c = 0; c < caps.length; c++) touch += caps[c].group![index];
    if (int8 && index < n) touch += int8[index * dim];
  }
  touched = touch;
}

/** Is this item excluded by an active "not recently bought" rule (bought within its days and not repurchasable)? */
function recentlyBought(view: MerchView, notBought: CompiledRule[], index: number, ctx: ListContext, nowS: number): boolean {
  for (const c of notBought) {
    const repurchasable = index >= view.n ? c.entryBits![index - view.n] : c.bits![index];
    if (repurchasable) continue;
    for (const b of ctx.bought!) if (b.index === index && nowS - b.at <= c.days * DAY_S) return true;
  }
  return false;
}

/** Puts `item` at `position` (moving it there if already listed), keeping at most k. */
function insertAt(out: RecommendedItem[], position: number, item: RecommendedItem, k: number): void {
  let length = out.length;
  const existing = indexOf(out, item.index);
  if (existing >= 0) {
    for (let i = existing; i + 1 < length; i++) out[i] = out[i + 1];
    length--;
  }
  const at = Math.min(position, length);
  for (let i = Math.min(length, k - 1); i > at; i--) out[i] = out[i - 1];
  if (at < k) out[at] = item;
  out.length = Math.min(length + 1, k);
}

/** Where a list holds an index, or -1 (lists are at most a few hundred long: a scan, no closure). */
function indexOf(out: RecommendedItem[], index: number): number {
  for (let i = 0; i < out.length; i++) if (out[i].index === index) return i;
  return -1;
}

/** Stable insertion sort of order/adjusted/promoted[0..m) by adjusted score, best first (m ≤ a few hundred). */
function sortByAdjusted(m: number): void {
  for (let i = 1; i < m; i++) {
    const o = order[i];
    const s = adjusted[i];
    const f = promoted[i];
    let j = i - 1;
    while (j >= 0 && adjusted[j] < s) {
      order[j + 1] = order[j];
      adjusted[j + 1] = adjusted[j];
      promoted[j + 1] = promoted[j];
      j--;
    }
    order[j + 1] = o;
    adjusted[j + 1] = s;
    promoted[j + 1] = f;
  }
}

/** Compacts order[0..m) to the items within every cap; returns how many remain. */
function applyCaps(items: RecommendedItem[], m: number, caps: CompiledRule[]): number {
  const C = caps.length;
  if (capGroups.length < CAP * C) capGroups = new Int32Array(CAP * C);
  for (let c = 0; c < C; c++) caps[c].counts ??= new Int32Array(caps[c].groups);
  let w = 0;
  for (let r = 0; r < m; r++) {
    const index = items[order[r]].index;
    let ok = true;
    // Groups of the w-th kept item, checked against every cap before any counter moves.
    for (let c = 0; c < C && ok; c++) {
      const cap = caps[c];
      const g = cap.group![index];
      capGroups[w * C + c] = g;
      if (g < cap.counts!.length && cap.counts![g] >= cap.max) ok = false;
    }
    if (!ok) continue;
    for (let c = 0; c < C; c++) {
      const g = capGroups[w * C + c];
      const counts = caps[c].counts!;
      if (g < counts.length) counts[g]++;
    }
    order[w] = order[r];
    adjusted[w] = adjusted[r];
    promoted[w] = promoted[r];
    w++;
  }
  // Reset only the counters this list touched.
  for (let c = 0; c < C; c++) {
    const counts = caps[c].counts!;
    for (let r = 0; r < w; r++) {
      const g = capGroups[r * C + c];
      if (g < counts.length) counts[g] = 0;
    }
  }
  return w;
}

/**
 * Greedy MMR: each next item maximises λ·relevance − (1−λ)·(its largest similarity to what is
 * already picked). Similarity is the cosine of the items' vectors when the artifact has them,
 * else 1 for the same brand or category path and 0 otherwise. Fills picked[0..take).
 */
function mmr(view: MerchView, items: RecommendedItem[], m: number, take: number, lambda: number): void {
  const vectors = view.artifact.itemVectors;
  // int8 vectors are copied once into a small contiguous scratch (cosine: the per-vector scales
  // cancel; the dot products stay exact integers), float16 ones are decoded into another.
  const int8 = vectors?.encoding === "int8" ? vectors.int8! : undefined;
  const dim = vectors?.dim ?? 0;
  if (vectors && !int8 && vectorScratch.length < CAP * dim) vectorScratch = new Float32Array(CAP * dim);
  if (int8 && int8Scratch.length < CAP * dim) int8Scratch = new Float64Array(CAP * dim);
  const top = adjusted[0] > 0 ? adjusted[0] : 1;
  for (let r = 0; r < m; r++) {
    used[r] = 0;
    maxSim[r] = 0;
    const index = (slotIndex[r] = items[order[r]].index);
    norms[r] = 1;
    if (!vectors || index >= view.n) continue;
    if (int8) {
      const from = index * dim;
      const to = r * dim;
      let squares = 0;
      for (let j = 0; j < dim; j++) {
        const x = int8[from + j];
        int8Scratch[to + j] = x;
        squares += x * x;
      }
      norms[r] = Math.sqrt(squares) || 1;
      continue;
    }
    readVector(vectors, index, vectorScratch.subarray(r * dim, (r + 1) * dim));
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += vectorScratch[r * dim + j] * vectorScratch[r * dim + j];
    norms[r] = Math.sqrt(norm) || 1;
  }
  const n = view.n;
  // Lazy greedy: an item's score only falls as items are picked, so a score computed against
  // fewer picks bounds it from above. Each round brings the highest-bounded item up to date
  // until the best is current; items that can no longer win are never compared again. Picks
  // (ties to the higher-ranked item) are exactly those of comparing every item every round.
  const simDim = vectors ? dim : -1;
  for (let r = 0; r < m; r++) {
    seen[r] = 0;
    score[r] = lambda * (adjusted[r] / top);
  }
  for (let t = 0; t < take; t++) {
    for (;;) {
      // The highest bound (first on ties) and the next highest.
      let best = -1;
      let bestScore = -Infinity;
      let runnerUp = -Infinity;
      for (let r = 0; r < m; r++) {
        if (used[r]) continue;
        const s = score[r];
        if (s > bestScore) {
          runnerUp = bestScore;
          bestScore = s;
          best = r;
        } else if (s > runnerUp) runnerUp = s;
      }
      let j = seen[best];
      if (j === t) {
        used[best] = 1;
        picked[t] = best;
        break;
      }
      // Compare with the picks it has not met yet, stopping as soon as it can no longer be the
      // best: its bound as of the picks met so far stays valid, the rest wait for another round.
      const relevance = lambda * (adjusted[best] / top);
      let worst = maxSim[best];
      let s = bestScore;
      const a = slotIndex[best];
      for (; j < t; ) {
        const x = picked[j++];
        const sim = int8 && a < n && slotIndex[x] < n ? scratchDot(int8Scratch, best * dim, x * dim, dim) / (norms[x] * norms[best]) : similarity(view, int8, simDim, x, best);
        if (sim > worst) {
          worst = sim;
          s = relevance - (1 - lambda) * worst;
          if (s <= runnerUp) break;
        }
      }
      maxSim[best] = worst;
      seen[best] = j;
      score[best] = s;
      if (j === t && s > runnerUp) {
        used[best] = 1;
        picked[t] = best;
        break;
      }
    }
  }
}

/** Similarity of the items in MMR slots x and y: cosine of their vectors (dim ≥ 0: the artifact has them), else same brand or category path. */
function similarity(view: MerchView, int8: Int8Array | undefined, dim: number, x: number, y: number): number {
  const n = view.n;
  const a = slotIndex[x];
  const b = slotIndex[y];
  if (dim >= 0 && a < n && b < n) {
    let dot = 0;
    if (int8) dot = scratchDot(int8Scratch, x * dim, y * dim, dim);
    else {
      const ox = x * dim;
      const oy = y * dim;
      for (let j = 0; j < dim; j++) dot += vectorScratch[ox + j] * vectorScratch[oy + j];
    }
    return dot / (norms[x] * norms[y]);
  }
  const brandOf = view.brandOf();
  const sameBrand = a < n && b < n && brandOf[a] === brandOf[b] && brandOf[a] !== view.brandId("");
  return sameBrand || (a < n && b < n && view.pathOf(a) === view.pathOf(b)) ? 1 : 0;
}

/** Dot product of two rows of a scratch of int8 values: integer sums, exact in any order. */
function scratchDot(v: Float64Array, oa: number, ob: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += v[oa + j] * v[ob + j];
    s1 += v[oa + j + 1] * v[ob + j + 1];
    s2 += v[oa + j + 2] * v[ob + j + 2];
    s3 += v[oa + j + 3] * v[ob + j + 3];
  }
  for (; j < dim; j++) s0 += v[oa + j] * v[ob + j];
  return s0 + s1 + s2 + s3;
}
