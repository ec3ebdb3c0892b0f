import { type CsrMatrix, transpose } from "../data/matrix.ts";

export interface SparseNeighbourRows {
  k: number;
  /** Row i is ids/scores[ptr[i] .. ptr[i+1]), best first. */
  ptr: Uint32Array;
  ids: Uint32Array;
  scores: Float32Array;
}

/**
 * Top-k cosine neighbours over L2-normalised sparse feature rows, only for the `queries`
 * rows (other rows stay empty): an inverted index accumulates dot products over the query's
 * features, so the cost is the postings touched, not n². Ties prefer `tieBreak` (popularity).
 */
export function contentNeighbours(
  features: CsrMatrix,
  queries: Uint8Array,
  k: number,
  tieBreak?: ArrayLike<number>,
  /** Features on more items than this are skipped (too broad to tell items apart, and costly). */
  maxPostings = Math.max(2000, Math.ceil(features.nRows * 0.02)),
): SparseNeighbourRows {
  const n = features.nRows;
  const postings = transpose(features);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const ptr = new Uint32Array(n + 1);
  const ids: number[] = [];
  const scores: number[] = [];
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (queries[i]) {
      let count = 0;
      for (let p = features.indptr[i]; p < features.indptr[i + 1]; p++) {
        const f = features.indices[p];
        const w = features.data[p];
        if (postings.indptr[f + 1] - postings.indptr[f] > maxPostings) continue;
        for (let q = postings.indptr[f]; q < postings.indptr[f + 1]; q++) {
          const j = postings.indices[q];
          if (j === i) continue;
          if (acc[j] === 0) touched[count++] = j;
          acc[j] += w * postings.data[q];
        }
      }
      best.length = 0;
      // Keep the 4k best by a running threshold before sorting (posting lists can be long).
      let floor = -Infinity;
      for (let t = 0; t < count; t++) {
        const j = touched[t];
        if (acc[j] < floor) continue;
        best.push(j);
        if (best.length >= 8 * k) {
          best.sort((a, b) => acc[b] - acc[a]);
          best.length = 4 * k;
          floor = acc[best[best.length - 1]];
        }
      }
      best.sort((a, b) => acc[b] - acc[a] || (tieBreak ? tieBreak[b] - tieBreak[a] : 0) || a - b);
      for (let t = 0; t < Math.min(k, best.length); t++) {
        if (acc[best[t]] <= 0) break;
        ids.push(best[t]);
        scores.push(acc[best[t]]);
      }
      for (let t = 0; t < count; t++) acc[touched[t]] = 0;
    }
    ptr[i + 1] = ids.length;
  }
  return { k, ptr, ids: Uint32Array.from(ids), scores: Float32Array.from(scores) };
}
