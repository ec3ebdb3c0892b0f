import type { CsrMatrix } from "../data/matrix.ts";
import type { ItemSequences, Recommender } from "../model/model.ts";

export type Metrics = Record<string, number>;

export interface RankingInput {
  /** users × items the model was fit on: excluded from ranking and from the negatives. */
  train: CsrMatrix;
  /** users × items held out; every stored entry is a positive. */
  test: CsrMatrix;
  /** Further items to exclude per user (e.g. the dev split when ranking test). */
  exclude?: CsrMatrix[];
  /** Cut-offs for p@k, r@k, hr@k, ndcg@k, coverage@k. Default [10]. */
  ks?: number[];
  /** Evaluate only these users (default: every user with >= 1 test positive). */
  users?: Int32Array;
  /** Called after each evaluated user (done, total). */
  onUser?: (done: number, total: number) => void;
  /**
   * Per cut-off (in `ks` order, ascending), the items already in some user's top-k: marked here
   * and counted by coverage@k, so evaluating users block by block with the same marks reports
   * the coverage of all blocks so far.
   */
  coverageMarks?: Uint8Array[];
  /**
   * Each user's observed items in time order, scored from instead of the model's own record of
   * the user (e.g. train followed by the dev item when ranking test, as a served model sees
   * every earlier interaction). Order-aware models read the latest items; the rest their set.
   */
  histories?: ItemSequences;
}

/**
 * Ranking metrics with LightFM's semantics (lightfm.evaluation / predict_rank):
 * a test positive's rank is the number of other non-excluded items scoring >= it
 * (ties count against it); precision@k / recall@k count test positives with rank < k;
 * per-user AUC = mean over the user's test positives (sorted by rank, the i-th one's rank
 * reduced by i, floored at 0) of 1 − rank / n_neg, n_neg = n_items − #test − #excluded.
 * Everything is averaged over users with >= 1 test positive.
 * HR@k (any positive with rank < k), NDCG@k (binary gains at position rank, ideal DCG over
 * min(k, #test)) and MRR (1 / (best rank + 1)) use the same ranks; coverage@k is the share of
 * the catalogue that appears in at least one user's top-k (ties by lower index).
 */
export function evaluateRanking(model: Recommender, input: RankingInput): Metrics {
  const { train, test } = input;
  const nItems = test.nCols;
  if (train.nCols !== nItems) throw new Error(`train has ${train.nCols} items but test has ${nItems}; they must share one id space`);
  const ks = (input.ks ?? [10]).slice().sort((a, b) => a - b);
  const maxK = ks[ks.length - 1];
  const users = input.users ?? usersWithPositives(test);
  const scores = new Float32Array(nItems);
  const seen = new Int32Array(nItems).fill(-1);
  const recommended = input.coverageMarks ?? ks.map(() => new Uint8Array(nItems));
  if (recommended.length !== ks.length || recommended.some((m) => m.length !== nItems)) {
    throw new Error(`coverageMarks must hold one array of ${nItems} items per cut-off (${ks.length})`);
  }
  let testScores = new Float32Array(16);
  let ranks = new Float64Array(16);
  let rankScratch: RankScratch = { order: new Int32Array(16), asc: new Float64Array(16), prefixCount: new Float64Array(17) };
  const topIdx = new Int32Array(maxK);
  const topScore = new Float64Array(maxK);

  let nUsers = 0;
  let aucSum = 0;
  let mrrSum = 0;
  const precisionSum = new Float64Array(ks.length);
  const recallSum = new Float64Array(ks.length);
  const hitSum = new Float64Array(ks.length);
  const ndcgSum = new Float64Array(ks.length);
  const excludes = [train, ...(input.exclude ?? [])];

  for (let ui = 0; ui < users.length; ui++) {
    const u = users[ui];
    const t0 = test.indptr[u];
    const nPos = test.indptr[u + 1] - t0;
    if (nPos === 0) continue;
    if (input.histories) model.scoreUser(u, scores, input.histories.items.subarray(input.histories.indptr[u], input.histories.indptr[u + 1]));
    else model.scoreUser(u, scores);
    if (testScores.length < nPos) {
      testScores = new Float32Array(nPos * 2);
      ranks = new Float64Array(nPos * 2);
      rankScratch = { order: new Int32Array(nPos * 2), asc: new Float64Array(nPos * 2), prefixCount: new Float64Array(nPos * 2 + 1) };
    }
    // A NaN score (a broken model) ranks the positive last, never first.
    for (let q = 0; q < nPos; q++) {
      const s = scores[test.indices[t0 + q]];
      testScores[q] = s === s ? s : -Infinity;
    }
    // Excluded items leave the candidate set: NaN is skipped by both the count and topK.
    let nExcluded = 0;
    for (const ex of excludes) {
      if (u >= ex.nRows) continue;
      for (let p = ex.indptr[u]; p < ex.indptr[u + 1]; p++) {
        const i = ex.indices[p];
        if (seen[i] !== ui) {
          seen[i] = ui;
          nExcluded++;
          scores[i] = Number.NaN;
        }
      }
    }
    countRanks(scores, testScores, nPos, ranks, rankScratch);
    // A test positive is not its own competitor, but the count included it.
    for (let q = 0; q < nPos; q++) {
      const i = test.indices[t0 + q];
      if (seen[i] !== ui && scores[i] === scores[i]) ranks[q] -= 1;
    }

    const nNeg = nItems - nPos - nExcluded;
    const sorted = ranks.subarray(0, nPos).sort();
    let auc = 0;
    for (let q = 0; q < nPos; q++) {
      const r = Math.max(0, sorted[q] - q);
      auc += nNeg > 0 ? 1 - r / nNeg : 0.5;
    }
    aucSum += auc / nPos;
    mrrSum += 1 / (sorted[0] + 1);
    for (let c = 0; c < ks.length; c++) {
      const k = ks[c];
      let hits = 0;
      let dcg = 0;
      for (let q = 0; q < nPos; q++) {
        if (sorted[q] < k) {
          hits++;
          dcg += 1 / Math.log2(sorted[q] + 2);
        }
      }
      let idcg = 0;
      for (let q = 0, m = Math.min(k, nPos); q < m; q++) idcg += 1 / Math.log2(q + 2);
      precisionSum[c] += hits / k;
      recallSum[c] += hits / nPos;
      hitSum[c] += hits > 0 ? 1 : 0;
      ndcgSum[c] += dcg / idcg;
    }
    const nTop = topKInto(scores, maxK, topIdx, topScore);
    for (let c = 0; c < ks.length; c++) {
      const mark = recommended[c];
      for (let t = 0, m = Math.min(ks[c], nTop); t < m; t++) mark[topIdx[t]] = 1;
    }
    nUsers++;
    input.onUser?.(ui + 1, users.length);
  }

  const out: Metrics = { auc: nUsers ? aucSum / nUsers : Number.NaN };
  for (let c = 0; c < ks.length; c++) {
    const k = ks[c];
    out[`p@${k}`] = nUsers ? precisionSum[c] / nUsers : Number.NaN;
    out[`r@${k}`] = nUsers ? recallSum[c] / nUsers : Number.NaN;
    out[`hr@${k}`] = nUsers ? hitSum[c] / nUsers : Number.NaN;
    out[`ndcg@${k}`] = nUsers ? ndcgSum[c] / nUsers : Number.NaN;
  }
  out.mrr = nUsers ? mrrSum / nUsers : Number.NaN;
  for (let c = 0; c < ks.length; c++) {
    let covered = 0;
    for (let i = 0; i < nItems; i++) covered += recommended[c][i];
    out[`coverage@${ks[c]}`] = nItems ? covered / nItems : Number.NaN;
  }
  out.users = nUsers;
  return out;
}

/** Scratch for countRanks, grown to the most test positives a user has. */
interface RankScratch {
  order: Int32Array;
  asc: Float64Array;
  prefixCount: Float64Array;
}

/**
 * ranks[q] = number of candidates (non-NaN scores) scoring >= testScores[q], in one pass
 * over the catalogue: O(n log T) for T test positives; a candidate below every test score
 * (most of the catalogue) costs one comparison.
 */
function countRanks(scores: Float32Array, testScores: Float32Array, nPos: number, ranks: Float64Array, scratch: RankScratch): void {
  // Order test positives by score ascending (ties by position); a candidate with score s beats
  // every test positive whose score is <= s, i.e. a prefix of that order.
  const { order, asc, prefixCount } = scratch;
  for (let q = 0; q < nPos; q++) {
    const s = testScores[q];
    let at = q;
    while (at > 0 && testScores[order[at - 1]] > s) {
      order[at] = order[at - 1];
      at--;
    }
    order[at] = q;
  }
  for (let q = 0; q < nPos; q++) asc[q] = testScores[order[q]];
  const n = scores.length;
  const lowest = asc[0];
  if (nPos === 1) {
    let c = 0;
    for (let j = 0; j < n; j++) if (scores[j] >= lowest) c++;
    ranks[order[0]] = c;
    return;
  }
  prefixCount.fill(0, 0, nPos + 1);
  for (let j = 0; j < n; j++) {
    const s = scores[j];
    // Below every test score (or NaN, excluded): it beats none of them.
    if (!(s >= lowest)) continue;
    // Number of test scores <= s (upper bound).
    let lo = 1;
    let hi = nPos;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (asc[mid] <= s) lo = mid + 1;
      else hi = mid;
    }
    prefixCount[lo] += 1;
  }
  // A candidate counted at prefix length L beats test positives 0..L-1 of the order.
  let running = 0;
  for (let L = nPos; L >= 1; L--) {
    running += prefixCount[L];
    ranks[order[L - 1]] = running;
  }
}

/**
 * The k best non-NaN scores, best first, ties by lower index (same order as model.topK),
 * by insertion into a small sorted buffer: most items fail the first comparison.
 * Returns how many were found.
 */
export function topKInto(scores: Float32Array, k: number, idx: Int32Array, val: Float64Array): number {
  let size = 0;
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s !== s) continue;
    if (size === k && !(s > val[k - 1])) continue; // equal score: the earlier (lower) index stays
    let pos = size < k ? size++ : k - 1;
    while (pos > 0 && val[pos - 1] < s) {
      val[pos] = val[pos - 1];
      idx[pos] = idx[pos - 1];
      pos--;
    }
    val[pos] = s;
    idx[pos] = i;
  }
  return size;
}

/** Rows with at least one stored entry. */
export function usersWithPositives(m: CsrMatrix): Int32Array {
  const out: number[] = [];
  for (let u = 0; u < m.nRows; u++) if (m.indptr[u + 1] > m.indptr[u]) out.push(u);
  return Int32Array.from(out);
}
