import type { Recommender } from "../model/model.ts";

/**
 * Global ROC AUC over (score, label) pairs, the competition metric: the probability that
 * a random positive outscores a random negative, ties counting 1/2 (Mann–Whitney U via
 * one sort and mid-ranks). Labels are 1/0 (anything > 0 is positive).
 */
export function pairRocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`pairRocAuc: ${n} scores but ${labels.length} labels`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`pairRocAuc: score ${i} is NaN`);
    order[i] = i;
  }
  order.sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const midRank = (start + 1 + end) / 2; // 1-based mean rank of the tie group
    for (let t = start; t < end; t++) if (labels[order[t]] > 0) rankSumPos += midRank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Scores (user, item) pairs with one `scoreUser` per distinct user (pairs grouped by user),
 * into one reused buffer. Users the model never saw are scored with an empty history.
 */
export function scorePairs(model: Recommender, nItems: number, users: Int32Array, items: Int32Array): Float32Array {
  const n = users.length;
  if (items.length !== n) throw new Error(`scorePairs: ${n} users but ${items.length} items`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => users[a] - users[b] || a - b);
  const out = new Float32Array(n);
  const buf = new Float32Array(nItems);
  let current = -1;
  for (let t = 0; t < n; t++) {
    const p = order[t];
    const u = users[p];
    if (u !== current) {
      model.scoreUser(u, buf);
      current = u;
    }
    const i = items[p];
    out[p] = i >= 0 && i < nItems ? buf[i] : Number.NaN;
  }
  return out;
}
