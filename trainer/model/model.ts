import type { CsrMatrix } from "../data/matrix.ts";
import type { Rng } from "../util/rng.ts";
import type { ItemSequences } from "../data/item-sequences.ts";

/** Everything a model may learn from. */
export interface FitInput {
  /**
   * users × items. For implicit/positive-only data every stored value is a weight (usually 1).
   * For explicit classification (logistic loss) values are +1 (liked) / -1 (not liked).
   */
  interactions: CsrMatrix;
  /**
   * Explicit ratings of the same users × items (values are the ratings, e.g. 1–5 stars), when
   * the data has them: explicit-rating models (mse loss, rating-stack) learn from the whole
   * scale instead of the ±1 labels. Models that do not use ratings ignore it.
   */
  ratings?: CsrMatrix;
  /** users × user-features (metadata only; a model adds identity features itself). */
  userFeatures?: CsrMatrix;
  /** items × item-features (metadata only; a model adds identity features itself). */
  itemFeatures?: CsrMatrix;
  rng: Rng;
  /**
   * Each user's items in time order (oldest first), for order-aware models: user u's sequence
   * is items[indptr[u] .. indptr[u+1]). Rows align with `interactions`. Models that ignore
   * order ignore it; see trainer/data/item-sequences.ts to build it from timed interactions.
   */
  sequences?: ItemSequences;
  /**
   * Called after each epoch by iterative models, e.g. for progress bars and early stopping: true
   * stops the fit. A promise pauses the fit until it settles (a search scheduling many trials).
   */
  onEpoch?: (epoch: number, info: { loss?: number }) => boolean | void | Promise<boolean | void>;
}

/** Users' item sequences (trainer/data/item-sequences.ts builds them), part of every model's fit input. */
export type { ItemSequences };

/** Dense item representation for the artifact and nearest-neighbour lists. */
export interface ItemVectors {
  dim: number;
  /** nItems × dim, row-major. */
  vectors: Float32Array;
  biases?: Float32Array;
}

/**
 * The one small interface every recommender implements (popularity, item-kNN, EASE,
 * hybrid factorisation…). Scores are comparable within one user only, unless a model
 * says otherwise (logistic factorisation gives calibrated logits).
 */
export interface Recommender {
  readonly name: string;
  fit(input: FitInput): Promise<void>;
  /**
   * Scores all items for a user seen in training into `out` (length nItems).
   * `history` lets models that score from item history (item-kNN, EASE) serve users
   * or sessions that were not in training; factor models use it for unknown users.
   */
  scoreUser(user: number, out: Float32Array, history?: Int32Array): void;
  /**
   * Iterative models: a copy of the fitted model as it is now, that scores alike and is not
   * changed by the epochs still to come (early stopping keeps its best epoch without a refit).
   */
  snapshot?(): Recommender;
  /** Item vectors when the model has them (factor models), for the artifact. */
  itemVectors?(): ItemVectors;
  /** User vectors when the model has them. */
  userVectors?(): ItemVectors;
  /** Item–item similarity row (item-kNN, EASE), for precomputed neighbour lists. */
  itemSimilarities?(item: number, out: Float32Array): void;
  /**
   * Order-aware models: the recency weighting the server applies to neighbour lists so that a
   * served history is scored as the model scores it (stored in the artifact header).
   */
  sequenceSettings?(): { decay: number; historyLength: number };
  /** Hyper-parameters, for reports and the artifact header. */
  params(): Record<string, unknown>;
}

/** Indexes of the k highest scores, best first, skipping `exclude` (sorted or not). Ties break by lower index. */
export function topK(scores: Float32Array, k: number, exclude?: ArrayLike<number>): Int32Array {
  const n = scores.length;
  let excluded: Uint8Array | undefined;
  if (exclude && exclude.length > 0) {
    excluded = new Uint8Array(n);
    for (let i = 0; i < exclude.length; i++) {
      const e = exclude[i];
      if (e >= 0 && e < n) excluded[e] = 1;
    }
  }
  k = Math.min(k, n);
  // Min-heap of size k over (score, index).
  const heapIdx = new Int32Array(k);
  let size = 0;
  const worse = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heapIdx[l], heapIdx[m])) m = l;
      if (r < size && worse(heapIdx[r], heapIdx[m])) m = r;
      if (m === i) return;
      const t = heapIdx[i];
      heapIdx[i] = heapIdx[m];
      heapIdx[m] = t;
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (excluded && excluded[i]) continue;
    const s = scores[i];
    if (Number.isNaN(s)) continue;
    if (size < k) {
      heapIdx[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heapIdx[c], heapIdx[p])) break;
        const t = heapIdx[c];
        heapIdx[c] = heapIdx[p];
        heapIdx[p] = t;
        c = p;
      }
    } else if (worse(heapIdx[0], i)) {
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  const out = Array.from(heapIdx.subarray(0, size));
  out.sort((a, b) => scores[b] - scores[a] || a - b);
  return Int32Array.from(out);
}
